/**
 * The parent side of the fence race: forks a writer and a reader process (a worker script run by
 * node with tsx and the `@cachette/source` condition, so no build is needed), walks them through
 * the rounds over IPC and counts the rounds that end with a stale value in the cache. No vitest
 * import: the Upstash tests use it too.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FenceRaceCommand, FenceRaceConfig, FenceRaceReply } from './fence-race-process.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
// tsx is installed by the quickstart example and the bench (as distributed-lock.test.ts finds it).
const TSX_LOADER = ['examples/quickstart', 'bench'].map((dir) => `${ROOT}${dir}/node_modules/tsx/dist/esm/index.mjs`).find((path) => existsSync(path))
/** How long a worker may take to answer one command (a round takes tens of ms). */
const REPLY_TIMEOUT_MS = 15_000
/** How long a worker may take to close its connections and exit once told to. */
const EXIT_TIMEOUT_MS = 5_000

/** Every worker not yet known to have exited, so `killFenceRaceWorkers()` in afterAll can reach them. */
const live = new Set<ChildProcess>()

/**
 * SIGKILLs every worker still running: for afterAll, so a failed or timed-out test leaves none.
 *
 * @example
 * ```ts
 * afterAll(() => killFenceRaceWorkers())
 * ```
 */
export function killFenceRaceWorkers(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  live.clear()
}

type ReplyOf<T extends FenceRaceReply['type']> = Extract<FenceRaceReply, { type: T }>

/** One forked worker and its replies, in order. */
class RaceWorker {
  private readonly replies: FenceRaceReply[] = []
  private readonly waiting: { resolve: (reply: FenceRaceReply) => void; reject: (error: Error) => void }[] = []
  private gone: Error | undefined
  readonly exited: Promise<void>

  constructor(
    readonly role: FenceRaceConfig['role'],
    private readonly child: ChildProcess,
  ) {
    live.add(child)
    child.on('message', (reply: FenceRaceReply) => {
      const waiter = this.waiting.shift()
      if (waiter === undefined) this.replies.push(reply)
      else waiter.resolve(reply)
    })
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        this.fail(new Error(`the ${role} process exited (${signal ?? String(code)})`))
        resolve()
      })
    })
    child.once('error', (error) => this.fail(error))
  }

  private fail(error: Error): void {
    this.gone ??= error
    for (const waiter of this.waiting.splice(0)) waiter.reject(error)
  }

  /** Sends `command` (if any) and resolves the next reply, which must be of type `expected`. */
  async ask<T extends FenceRaceReply['type']>(command: FenceRaceCommand | undefined, expected: T): Promise<ReplyOf<T>> {
    if (command !== undefined) this.child.send(command)
    const queued = this.replies.shift()
    let timer: NodeJS.Timeout | undefined
    const reply =
      queued ??
      (await new Promise<FenceRaceReply>((resolve, reject) => {
        if (this.gone !== undefined) return reject(this.gone)
        this.waiting.push({ resolve, reject })
        timer = setTimeout(() => reject(new Error(`the ${this.role} did not answer ${command?.type ?? 'ready'} within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS)
      }).finally(() => clearTimeout(timer)))
    if (reply.type === 'failed') throw new Error(`the ${this.role} failed: ${reply.message}`)
    if (reply.type !== expected) throw new Error(`the ${this.role} answered ${reply.type}, expected ${expected}`)
    return reply as ReplyOf<T>
  }

  /** Asks it to close its cache and exit; SIGKILL if it does not within EXIT_TIMEOUT_MS. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies FenceRaceCommand)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
  }
}

function forkWorker(worker: string, config: FenceRaceConfig): RaceWorker {
  if (TSX_LOADER === undefined) throw new Error('tsx is needed to run the fence race workers (pnpm install in examples/quickstart or bench)')
  const child = fork(worker, [], {
    execArgv: ['--conditions=@cachette/source', '--import', TSX_LOADER],
    env: { ...process.env, FENCE_RACE_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new RaceWorker(config.role, child)
}

/** Options of {@link runFenceRace}. */
export interface FenceRaceOptions {
  /** Absolute path of the driver's worker script (it calls `serveFenceRace`). */
  readonly worker: string
  readonly rounds: number
  /** Everything but the role, the same for both processes. */
  readonly config: Omit<FenceRaceConfig, 'role'>
}

/** What {@link runFenceRace} counted. */
export interface FenceRaceResult {
  readonly rounds: number
  /** Rounds after which either process read a cached value other than the committed version. */
  readonly staleRounds: number
  /** Rounds after which the cache held the committed version (the cache did cache, not only miss). */
  readonly freshRounds: number
  /** Loader runs in the reader, over all rounds. */
  readonly loads: number
  /** The first stale rounds, for the failure message. */
  readonly examples: readonly string[]
  readonly durationMs: number
}

/**
 * Runs the race for `rounds` rounds, each on its own key, database row (and tag): the reader
 * starts its getOrSet loops; the writer commits and invalidates several times; once the writer's
 * invalidations have all resolved, the reader stops and its loads settle; then both processes
 * read the key with `cache.get` and the committed version from the database. Both workers are
 * stopped before it resolves or rejects.
 *
 * @example
 * ```ts
 * const result = await runFenceRace({ worker: WORKER, rounds: 100, config: { prefix, fence: true, invalidation: 'key', store: { url }, database: { url: dbUrl } } })
 * expect(result.staleRounds).toBe(0)
 * ```
 */
export async function runFenceRace(options: FenceRaceOptions): Promise<FenceRaceResult> {
  const started = performance.now()
  const writer = forkWorker(options.worker, { ...options.config, role: 'writer' })
  const reader = forkWorker(options.worker, { ...options.config, role: 'reader' })
  let staleRounds = 0
  let freshRounds = 0
  let loads = 0
  const examples: string[] = []
  try {
    await Promise.all([writer.ask(undefined, 'ready'), reader.ask(undefined, 'ready')])
    for (let round = 0; round < options.rounds; round++) {
      await reader.ask({ type: 'start', round }, 'started')
      await writer.ask({ type: 'update', round }, 'updated')
      loads += (await reader.ask({ type: 'stop' }, 'stopped')).loads
      const seen = await Promise.all([writer.ask({ type: 'check', round }, 'checked'), reader.ask({ type: 'check', round }, 'checked')])
      const stale = seen.filter((check) => check.cached !== null && check.cached !== check.committed)
      if (stale.length > 0) {
        staleRounds++
        if (examples.length < 5) examples.push(`round ${round}: cached ${String(stale[0]?.cached)}, committed ${String(stale[0]?.committed)}`)
      } else if (seen[1].cached !== null) {
        freshRounds++
      }
    }
  } finally {
    await Promise.all([writer.stop(), reader.stop()])
  }
  return { rounds: options.rounds, staleRounds, freshRounds, loads, examples, durationMs: Math.round(performance.now() - started) }
}

/**
 * One line for `CACHETTE_PRINT_MEASURES=1` runs.
 *
 * @example
 * ```ts
 * console.log(describeFenceRace('single redis, invalidate, fence: false', result))
 * ```
 */
export function describeFenceRace(label: string, result: FenceRaceResult): string {
  return `fence race, ${label}: ${result.staleRounds}/${result.rounds} rounds stale, ${result.freshRounds} fresh, ${result.loads} loads, ${result.durationMs} ms`
}
