import { setImmediate as nextTurn } from 'node:timers/promises'
import { measureTasks, type TimedTask } from '../measure.js'
import type { Contender } from '../peers/contender.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes } from '../values.js'
import { withContenders, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'
import { lineupFor, storeName, withEveryDriver } from './lineups.js'

/**
 * Scenario 4: `stampedeCallers` concurrent callers on one cold key. The loader answers on the
 * next turn of the event loop (so the figure is the cache's own cost, not a database's), and
 * counts its calls: with single flight, one per round. A sample is one whole round: every caller
 * issued, every caller answered. Each round uses a fresh key.
 */
interface StampedeProbe {
  readonly task: TimedTask
  /** The most loader calls any round needed. */
  readonly maxCallsPerRound: () => number
}

function stampedeTask(contender: Contender, value: unknown, callers: number): StampedeProbe {
  let round = 0
  let id = ''
  let calls = 0
  let maxCalls = 0
  const load = async () => {
    calls++
    await nextTurn()
    return value
  }
  const pending: Promise<unknown>[] = new Array<Promise<unknown>>(callers)
  return {
    task: {
      name: contender.name,
      beforeEach: () => {
        id = `stampede-${round++}`
        calls = 0
      },
      fn: () => {
        for (let caller = 0; caller < callers; caller++) pending[caller] = contender.getOrSet(id, load)
        return Promise.all(pending)
      },
      afterEach: async () => {
        maxCalls = Math.max(maxCalls, calls)
        await contender.delete(id)
      },
    },
    maxCallsPerRound: () => maxCalls,
  }
}

/**
 * The stampede on `store`, on both value shapes.
 *
 * @example
 * ```ts
 * const tables = await runStampede(ctx, 'memory')
 * ```
 */
export async function runStampede(ctx: ScenarioContext, store: 'memory' | RedisTarget): Promise<ScenarioResult[]> {
  const { config } = ctx
  const results: ScenarioResult[] = []
  const name = storeName(store)
  for (const shape of valueShapes(ctx.config.bundleBytes)) {
    ctx.log(`  ${name} stampede, ${shape.id}`)
    results.push(
      await withContenders(
        () => withEveryDriver(store, lineupFor(store)),
        async (contenders) => {
          const probes = contenders.map((contender) => stampedeTask(contender, shape.value, config.stampedeCallers))
          const stats = await measureTasks(
            probes.map((probe) => probe.task),
            config,
            // Uncapped: every contender runs its minimum rounds, however slow (keyv's are).
            { minIterations: config.stampedeRounds, warmupIterations: 1, rounds: 1, capped: false },
          )
          const extras: Record<string, RowExtras> = {}
          probes.forEach((probe, index) => {
            extras[(contenders[index] as Contender).name] = { loaderCalls: probe.maxCallsPerRound() }
          })
          return {
            id: 'stampede',
            title: `Stampede, ${config.stampedeCallers.toLocaleString('en-US')} callers on one cold key (${name === 'memory' ? 'memory' : name === 'redis' ? 'Redis' : 'Redis Cluster'}): ${shape.label} (${formatBytes(shape.jsonBytes)})`,
            store: name,
            unit: `a whole round, ${config.stampedeCallers} callers issued and answered; loader calls = the most any round needed`,
            rows: buildRows(
              contenders.map((contender) => contender.name),
              stats,
              extras,
            ),
          }
        },
      ),
    )
  }
  return results
}
