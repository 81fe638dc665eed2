import { measureTasks, type TimedTask } from '../measure.js'
import type { Contender } from '../peers/contender.js'
import { buildRows, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes } from '../values.js'
import { countingLoader, withContenders, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'
import { lineupFor, storeName } from './lineups.js'

/**
 * Scenario 3: read-through on a cold key, so one sample is a miss, the loader (returning at
 * once) and the write. Each sample uses a fresh key; the key is deleted after the sample,
 * untimed, so the store does not grow.
 */
function missTask(contender: Contender, load: () => Promise<unknown>): TimedTask {
  let sequence = 0
  let id = ''
  return {
    name: contender.name,
    beforeEach: () => {
      id = `miss-${sequence++}`
    },
    fn: () => contender.getOrSet(id, load),
    afterEach: () => contender.delete(id),
  }
}

/**
 * Miss then set on `store`, on both value shapes.
 *
 * @example
 * ```ts
 * const tables = await runMissThenSet(ctx, servers.standalone)
 * ```
 */
export async function runMissThenSet(ctx: ScenarioContext, store: 'memory' | RedisTarget): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  const name = storeName(store)
  for (const shape of valueShapes(ctx.config.bundleBytes)) {
    ctx.log(`  ${name} miss then set, ${shape.id}`)
    results.push(
      await withContenders(
        () => lineupFor(store),
        async (contenders) => {
          const loaders = new Map(contenders.map((contender) => [contender.name, countingLoader(shape.value)]))
          const stats = await measureTasks(
            contenders.map((contender) => missTask(contender, loaders.get(contender.name)?.load as () => Promise<unknown>)),
            ctx.config,
          )
          return {
            id: 'miss-then-set',
            title: `Miss then set (${name === 'memory' ? 'memory' : name === 'redis' ? 'Redis' : 'Redis Cluster'}): ${shape.label} (${formatBytes(shape.jsonBytes)})`,
            store: name,
            unit: 'one read-through call on a cold key (read, loader, write)',
            rows: buildRows(
              contenders.map((contender) => contender.name),
              stats,
            ),
          }
        },
      ),
    )
  }
  return results
}
