import type { BenchConfig } from '../config.js'
import { sampleInTurns, summarize, type TimedTask } from '../measure.js'
import { TTL_MS, runId } from '../peers/contender.js'
import { countingLoader, idList, type CountingLoader } from '../scenarios/context.js'
import type { CoreBundle, HitCache } from './bundle-core.js'

/**
 * The four hit scenarios of the before/after run. Each scenario has one cache per side, filled
 * beforehand on the same keys; the two sides' calls then take turns one call at a time
 * (`sampleInTurns`, order shuffled every round), in blocks spread over the whole run: block 1 of
 * every scenario, then block 2 of every scenario... A burst of load on this shared machine lands
 * on both sides of a scenario alike, and on no single scenario.
 */

export type Side = 'before' | 'after'

/** One scenario: which store, which call. */
export interface HitScenario {
  readonly id: string
  readonly title: string
  readonly store: 'memory' | 'redis'
  readonly call: 'get' | 'getOrSet'
}

export const HIT_SCENARIOS: readonly HitScenario[] = [
  { id: 'memory-get', title: '`get` hit, `memoryDriver()`', store: 'memory', call: 'get' },
  { id: 'memory-get-or-set', title: '`getOrSet` hit, `memoryDriver()`', store: 'memory', call: 'getOrSet' },
  { id: 'redis-get', title: '`get` hit, Redis (`ioredisDriver`)', store: 'redis', call: 'get' },
  { id: 'redis-get-or-set', title: '`getOrSet` hit, Redis (`ioredisDriver`)', store: 'redis', call: 'getOrSet' },
]

/** One side's figures in one scenario. */
export interface SideFigures {
  readonly medianMs: number
  readonly opsPerSec: number
  readonly samples: number
  /** Loader calls during the timed calls (0: every call was a hit). */
  readonly loaderCalls: number
  /** An untimed read afterwards returned the loader's value. */
  readonly served: boolean
}

/** One scenario's result. */
export interface HitResult {
  readonly scenario: HitScenario
  readonly before: SideFigures
  readonly after: SideFigures
  /** after ÷ before throughput, on the pooled medians (above 1: faster now). */
  readonly ratio: number
  /** The same ratio in each block. */
  readonly blockRatios: readonly number[]
}

/** What a scenario needs from each side: its core and, for Redis, the driver factory to use. */
export interface SideSetup {
  readonly core: CoreBundle
  readonly ioredisDriver: (options: { url: string }) => unknown
}

interface Subject {
  readonly cache: HitCache
  readonly key: (params: { id: string }) => unknown
  readonly loader: CountingLoader
}

const median = (values: readonly number[]) => summarize(values).medianMs

function task(name: string, scenario: HitScenario, { cache, key, loader }: Subject, ids: readonly string[]): TimedTask {
  let next = 0
  const count = ids.length
  // The key is built on every call, as applications do (as in peers/cachette.ts).
  return scenario.call === 'get'
    ? { name, fn: () => cache.get(key({ id: ids[next++ % count] as string })) }
    : { name, fn: () => cache.getOrSet(key({ id: ids[next++ % count] as string }), loader.load) }
}

/**
 * Fills a cache per scenario and side, measures every scenario in `blocks` blocks of `blockMs`
 * per side, checks that every timed call was a hit, and closes the caches.
 *
 * @example
 * ```ts
 * const results = await runHitScenarios({ before, after }, server.url, value, config, { blocks: 10, blockMs: 300, log })
 * ```
 */
export async function runHitScenarios(
  sides: Readonly<Record<Side, SideSetup>>,
  redisUrl: string,
  value: unknown,
  config: BenchConfig,
  options: { blocks: number; blockMs: number; log: (line: string) => void },
): Promise<HitResult[]> {
  const ids = idList(config.hotKeys)
  const run = runId()
  const subjects = new Map<string, Subject>()
  try {
    for (const scenario of HIT_SCENARIOS) {
      for (const side of ['before', 'after'] as const) {
        const { core, ioredisDriver } = sides[side]
        const driver = scenario.store === 'memory' ? core.memoryDriver() : ioredisDriver({ url: redisUrl })
        const subject: Subject = {
          cache: core.createCache({ driver, prefix: `bench:${run}:${scenario.id}:${side}`, ttl: TTL_MS }),
          key: core.defineKey('patient:{id}'),
          loader: countingLoader(value),
        }
        subjects.set(`${scenario.id}/${side}`, subject)
        for (const id of ids) await subject.cache.getOrSet(subject.key({ id }), subject.loader.load)
        // Read each once more so a write still in flight has landed.
        for (const id of ids) await subject.cache.getOrSet(subject.key({ id }), subject.loader.load)
        subject.loader.calls = 0
      }
    }
    const subjectOf = (scenario: HitScenario, side: Side) => subjects.get(`${scenario.id}/${side}`) as Subject
    const pooled = new Map(HIT_SCENARIOS.map((scenario) => [scenario.id, { before: [] as number[], after: [] as number[], ratios: [] as number[] }]))
    for (let block = 0; block < options.blocks; block++) {
      options.log(`  block ${block + 1}/${options.blocks}`)
      for (const scenario of HIT_SCENARIOS) {
        const tasks = (['before', 'after'] as const).map((side) => task(`${scenario.id}/${side}`, scenario, subjectOf(scenario, side), ids))
        const warmupTimeMs = block === 0 ? config.warmupTimeMs : Math.min(20, config.warmupTimeMs)
        const [before, after] = (await sampleInTurns(tasks, config, { timeMs: options.blockMs, warmupTimeMs })) as [number[], number[]]
        const figures = pooled.get(scenario.id) as { before: number[]; after: number[]; ratios: number[] }
        // Not push(...samples): a long block holds more samples than a call takes arguments.
        for (const sample of before) figures.before.push(sample)
        for (const sample of after) figures.after.push(sample)
        figures.ratios.push(median(before) / median(after))
      }
    }
    const results: HitResult[] = []
    for (const scenario of HIT_SCENARIOS) {
      const figures = pooled.get(scenario.id) as { before: number[]; after: number[]; ratios: number[] }
      const sideFigures = async (side: Side, samples: readonly number[]): Promise<SideFigures> => {
        const { cache, key, loader } = subjectOf(scenario, side)
        const medianMs = median(samples)
        const served = JSON.stringify(await cache.get(key({ id: ids[0] as string }))) === JSON.stringify(value)
        return { medianMs, opsPerSec: 1_000 / medianMs, samples: samples.length, loaderCalls: loader.calls, served }
      }
      const before = await sideFigures('before', figures.before)
      const after = await sideFigures('after', figures.after)
      results.push({ scenario, before, after, ratio: before.medianMs / after.medianMs, blockRatios: figures.ratios })
    }
    return results
  } finally {
    await Promise.allSettled([...subjects.values()].map((subject) => subject.cache.close({ driver: true })))
  }
}
