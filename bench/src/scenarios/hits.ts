import { measureTasks, type TimedTask } from '../measure.js'
import type { Contender } from '../peers/contender.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes, type ValueShape } from '../values.js'
import { countingLoader, idList, withContenders, type CountingLoader, type ScenarioContext } from './context.js'
import { hitLineupFor, storeName } from './lineups.js'

/**
 * Scenarios 1 and 2 (and 7 for the cluster): a hit, read-through, on keys every contender
 * filled beforehand. Sequential: one call per sample. Concurrent: `concurrentCallers` calls at
 * once per sample, each on its own key (so single flight cannot merge them: this measures the
 * client path under load, not deduplication), reported as a batch time and as throughput.
 */

async function fill(contenders: readonly Contender[], loaders: ReadonlyMap<string, CountingLoader>, ids: readonly string[]): Promise<void> {
  for (const contender of contenders) {
    const loader = loaders.get(contender.name) as CountingLoader
    for (const id of ids) await contender.getOrSet(id, loader.load)
    // Read each once more so a contender that stores in the background has stored by now.
    for (const id of ids) await contender.getOrSet(id, loader.load)
    loader.calls = 0
  }
}

function sequentialTask(contender: Contender, ids: readonly string[], loader: CountingLoader): TimedTask {
  let next = 0
  const count = ids.length
  return { name: contender.name, fn: () => contender.getOrSet(ids[next++ % count] as string, loader.load) }
}

function concurrentTask(contender: Contender, ids: readonly string[], loader: CountingLoader, callers: number): TimedTask {
  let next = 0
  const count = ids.length
  const calls: Promise<unknown>[] = new Array<Promise<unknown>>(callers)
  return {
    name: contender.name,
    fn: () => {
      for (let caller = 0; caller < callers; caller++) calls[caller] = contender.getOrSet(ids[next++ % count] as string, loader.load)
      return Promise.all(calls)
    },
  }
}

async function measureShape(ctx: ScenarioContext, store: 'memory' | RedisTarget, shape: ValueShape, concurrent: boolean): Promise<ScenarioResult> {
  const { config } = ctx
  const callers = config.concurrentCallers
  const ids = idList(Math.max(config.hotKeys, concurrent ? callers : 0))
  return withContenders(
    () => hitLineupFor(store),
    async (contenders) => {
      const loaders = new Map(contenders.map((contender) => [contender.name, countingLoader(shape.value)]))
      await fill(contenders, loaders, ids)
      const tasks = contenders.map((contender) => {
        const loader = loaders.get(contender.name) as CountingLoader
        return concurrent ? concurrentTask(contender, ids, loader, callers) : sequentialTask(contender, ids, loader)
      })
      // A concurrent batch of 100 bundles takes a tenth of a second: 16 of them are plenty.
      const stats = await measureTasks(tasks, config, concurrent ? { minIterations: Math.min(16, config.minIterations), warmupIterations: 2 } : {})
      const extras: Record<string, RowExtras> = {}
      for (const contender of contenders) {
        const measured = stats.get(contender.name)
        extras[contender.name] = {
          loaderCalls: (loaders.get(contender.name) as CountingLoader).calls,
          ...(concurrent && measured !== undefined ? { opsPerSec: callers / (measured.medianMs / 1_000) } : {}),
        }
      }
      const name = storeName(store)
      return {
        id: concurrent ? 'redis-hit-concurrent' : name === 'memory' ? 'memory-hit' : 'redis-hit',
        title: `${name === 'memory' ? 'Memory' : name === 'redis' ? 'Redis' : 'Redis Cluster'} hit${concurrent ? `, ${callers} concurrent callers` : ''}: ${shape.label} (${formatBytes(shape.jsonBytes)})`,
        store: name,
        unit: concurrent ? `a batch of ${callers} concurrent calls on ${callers} keys` : 'one call',
        rows: buildRows(
          contenders.map((contender) => contender.name),
          stats,
          extras,
        ),
      }
    },
  )
}

/** `1094 B`, `98.2 KB`. */
export function formatBytes(bytes: number): string {
  return bytes < 10_000 ? `${(bytes / 1_000).toFixed(1)} KB` : `${Math.round(bytes / 1_000)} KB`
}

/**
 * Hits on `store`, sequential, on both value shapes.
 *
 * @example
 * ```ts
 * const tables = await runHits(ctx, 'memory')
 * ```
 */
export async function runHits(ctx: ScenarioContext, store: 'memory' | RedisTarget, concurrent = false): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  for (const shape of valueShapes(ctx.config.bundleBytes)) {
    ctx.log(`  ${storeName(store)} hit${concurrent ? ' (concurrent)' : ''}, ${shape.id}`)
    results.push(await measureShape(ctx, store, shape, concurrent))
  }
  return results
}
