import { Bench, hrtimeNowTimestampProvider, type FnOptions } from 'tinybench'
import type { BenchConfig } from './config.js'

/** Latency statistics of one task, in milliseconds, from every sample of every round. */
export interface Measured {
  readonly medianMs: number
  readonly p99Ms: number
  readonly meanMs: number
  readonly samples: number
}

/** One contender's task: a function tinybench times, plus untimed hooks around each iteration. */
export interface TimedTask {
  readonly name: string
  readonly fn: () => unknown
  readonly beforeEach?: () => unknown
  readonly afterEach?: () => unknown
}

/** Sorted copy's value at quantile `q` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

/** Median, p99 and mean of raw samples (ms). */
export function summarize(samples: readonly number[]): Measured {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((total, sample) => total + sample, 0)
  return { medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), meanMs: sum / sorted.length, samples: sorted.length }
}

/**
 * Times one `await fn()` and hands tinybench that duration: tinybench's own per-iteration
 * bookkeeping (an async frame, a bigint clock read, hooks) costs a few microseconds here, as much
 * as a whole memory hit, and would squeeze every ratio toward 1. What remains is two
 * `performance.now()` reads (~0.05 µs), the same for every contender.
 */
function timeAwait(fn: () => unknown): () => Promise<{ overriddenDuration: number }> {
  return async () => {
    const started = performance.now()
    await fn()
    return { overriddenDuration: performance.now() - started }
  }
}

function collectGarbage(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

/**
 * Times each task with tinybench and returns its statistics by name. Tasks run in `rounds`
 * rounds, the order rotating each round, and their samples are pooled: on a noisy machine a
 * burst of load then lands on every contender instead of on whichever ran during it. Garbage
 * is collected before each task (`--expose-gc`) so one task does not pay for another's garbage.
 *
 * @example
 * ```ts
 * const stats = await measureTasks([{ name: 'baseline', fn: () => get('k') }], config)
 * stats.get('baseline')?.medianMs
 * ```
 */
export async function measureTasks(
  tasks: readonly TimedTask[],
  config: BenchConfig,
  options: { rounds?: number; timeMs?: number; minIterations?: number; warmupIterations?: number; capped?: boolean } = {},
): Promise<Map<string, Measured>> {
  const rounds = options.rounds ?? config.rounds
  const roundTimeMs = (options.timeMs ?? config.taskTimeMs) / rounds
  const pooled = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[(i + round) % tasks.length] as TimedTask
      // The first round warms the code up; later rounds only re-warm caches after the other tasks ran.
      await warmUp(task, round === 0 ? config.warmupTimeMs : Math.min(20, config.warmupTimeMs), round === 0 ? (options.warmupIterations ?? config.warmupIterations) : 1)
      collectGarbage()
      ;(pooled.get(task.name) as number[]).push(...(await sample(task, roundTimeMs, Math.max(1, Math.ceil((options.minIterations ?? config.minIterations) / rounds)), options.capped !== false)))
    }
  }
  const stats = new Map<string, Measured>()
  for (const [name, samples] of pooled) stats.set(name, summarize(samples))
  return stats
}

/**
 * Runs the task, hooks included, for `wallMs` of wall-clock time and at least `iterations` times.
 * Done here rather than by tinybench, whose warm-up counts only timed work: a fast task with slow
 * untimed hooks (a delete after each miss) would warm up for seconds.
 */
async function warmUp(task: TimedTask, wallMs: number, iterations: number): Promise<void> {
  const end = performance.now() + wallMs
  for (let done = 0; done < iterations || performance.now() < end; done++) {
    await task.beforeEach?.()
    await task.fn()
    await task.afterEach?.()
  }
}

/** One tinybench run of `task`: every sample, in ms. */
async function sample(task: TimedTask, timeMs: number, iterations: number, capped: boolean): Promise<number[]> {
  // tinybench counts only timed work toward `time`, so a fast task with slow untimed hooks
  // would run for minutes: unless told otherwise, the wall clock caps a run at 4x its time. The
  // check runs before each iteration, not from a timer: a loop of promises that settle at once
  // never lets a timer fire.
  const controller = new AbortController()
  const bench = new Bench({
    signal: controller.signal,
    time: timeMs,
    iterations,
    warmup: false,
    retainSamples: true,
    throws: true,
    timestampProvider: hrtimeNowTimestampProvider,
  })
  let stopAt = Number.POSITIVE_INFINITY
  const hooks: FnOptions = {
    // Every task returns a promise: say so rather than let tinybench guess by calling it.
    async: true,
    beforeAll: () => {
      if (capped) stopAt = performance.now() + timeMs * 4 + 200
    },
    beforeEach: async () => {
      if (performance.now() > stopAt && !controller.signal.aborted) controller.abort()
      await task.beforeEach?.()
    },
  }
  if (task.afterEach !== undefined) hooks.afterEach = async () => void (await task.afterEach?.())
  bench.add(task.name, timeAwait(task.fn), hooks)
  await bench.run()
  const result = bench.tasks[0]?.result
  if (result === undefined || !('latency' in result) || result.latency.samples === undefined) {
    throw new Error(`task '${task.name}' produced no samples (${result?.state ?? 'no result'})`)
  }
  return result.latency.samples
}

/**
 * Times `run` once per round with `before` untimed ahead of each, for operations too long or too
 * destructive for tinybench's loop (deletePattern over a million keys, a naive tag flush).
 *
 * @example
 * ```ts
 * const stats = await measureRounds(3, () => refill(), () => cache.deletePattern('dp:*'))
 * ```
 */
export async function measureRounds(rounds: number, before: () => Promise<unknown>, run: () => Promise<unknown>): Promise<Measured> {
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    await before()
    collectGarbage()
    const started = performance.now()
    await run()
    samples.push(performance.now() - started)
  }
  return summarize(samples)
}

/** How long {@link sampleInTurns} runs, when not the configuration's own figures. */
export interface TurnOptions {
  /** Wall-clock time per task, ms (hooks included). @default config.taskTimeMs */
  readonly timeMs?: number
  /** Unrecorded rounds first, ms. @default config.warmupTimeMs */
  readonly warmupTimeMs?: number
}

/**
 * Each task once per round, in an order shuffled every round, until the run has taken `timeMs`
 * per task of wall-clock time (hooks included) and done `minIterations` rounds, after
 * `warmupTimeMs` of the same unrecorded. Only `fn` is timed. Shuffled, not rotated: in a
 * rotation each task nearly always follows the same one, and the fenced hit then measured
 * 0.88× the unfenced one, run after run, for the same single GET. Returns every sample (ms),
 * one array per task, in `tasks` order.
 *
 * @example
 * ```ts
 * const [before, after] = await sampleInTurns([beforeTask, afterTask], config, { timeMs: 300 })
 * ```
 */
export async function sampleInTurns(tasks: readonly TimedTask[], config: BenchConfig, options: TurnOptions = {}): Promise<number[][]> {
  const samples = tasks.map(() => [] as number[])
  const order = tasks.map((_, index) => index)
  const runRounds = async (wallMs: number, minRounds: number, record: boolean) => {
    const end = performance.now() + wallMs
    for (let round = 0; round < minRounds || performance.now() < end; round++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1))
        ;[order[i], order[j]] = [order[j] as number, order[i] as number]
      }
      for (const index of order) {
        const task = tasks[index] as TimedTask
        await task.beforeEach?.()
        const started = performance.now()
        await task.fn()
        const elapsed = performance.now() - started
        await task.afterEach?.()
        if (record) samples[index]?.push(elapsed)
      }
    }
  }
  await runRounds(options.warmupTimeMs ?? config.warmupTimeMs, config.warmupIterations, false)
  collectGarbage()
  await runRounds((options.timeMs ?? config.taskTimeMs) * tasks.length, config.minIterations, true)
  return samples
}

/**
 * {@link sampleInTurns}, summarized per task name.
 *
 * @example
 * ```ts
 * const stats = await measureInTurns(tasks, config)
 * stats.get('hit/cachette')?.medianMs
 * ```
 */
export async function measureInTurns(tasks: readonly TimedTask[], config: BenchConfig, options: TurnOptions = {}): Promise<Map<string, Measured>> {
  const samples = await sampleInTurns(tasks, config, options)
  return new Map(tasks.map((task, index) => [task.name, summarize(samples[index] as number[])]))
}
