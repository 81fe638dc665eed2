import { createCache, defineKey } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import type { Redis } from 'ioredis'
import { TTL_MS, runId } from '../peers/contender.js'
import { summarize, type Measured } from '../measure.js'
import { formatDuration } from '../report.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import { masterClients, masterPorts, type RedisTarget } from '../servers.js'
import type { ScenarioContext } from './context.js'
import { createFiller } from './fill.js'
import { startPingProbe } from './ping-probe.js'

/**
 * Scenario 5: `deletePattern` over a store of `deletePatternTotalKeys` keys, of which
 * `deletePatternMatchingKeys` match, against the loop users write by hand (SCAN MATCH + UNLINK per
 * page). While each runs, a worker thread PINGs Redis from its own connections: the PING p99 says
 * whether the deletion starved other clients. The matching keys are written again (untimed)
 * before every run; the other keys stay.
 */

const STORED = '@c1\n{"ok":1}'
const BASELINE = 'baseline: SCAN MATCH + UNLINK loop'
const patientKey = defineKey('patient:{id}')

/** The hand-written loop: one SCAN page, then UNLINK its keys (one command per key on a cluster, where keys of a page span slots). */
async function scanAndUnlink(node: Redis, glob: string, cluster: boolean): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', glob, 'COUNT', 1_000)
    cursor = next
    if (keys.length === 0) continue
    if (!cluster) {
      deleted += await node.unlink(...keys)
      continue
    }
    const replies = (await node.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? []
    for (const [error, count] of replies) if (error === null) deleted += Number(count)
  } while (cursor !== '0')
  return deleted
}

/**
 * deletePattern on `target`.
 *
 * @example
 * ```ts
 * const tables = await runDeletePattern(ctx, servers.standalone)
 * ```
 */
export async function runDeletePattern(ctx: ScenarioContext, target: RedisTarget): Promise<ScenarioResult[]> {
  const { config, log } = ctx
  const prefix = `bench:${runId()}:dp`
  const total = config.deletePatternTotalKeys
  const matching = config.deletePatternMatchingKeys
  const cluster = target.kind === 'cluster'
  const filler = createFiller(target)
  const driver = target.kind === 'standalone' ? ioredisDriver({ url: target.url }) : ioredisDriver({ cluster: target.nodes })
  const cache = createCache({ driver, prefix, ttl: TTL_MS })
  const masters = await masterClients(target)
  const ports = await masterPorts(target)
  try {
    const started = performance.now()
    await filler.fill(total - matching, (index) => `${prefix}:other:${index}`, STORED)
    log(`    filled ${(total - matching).toLocaleString('en-US')} other keys in ${formatDuration(performance.now() - started)}`)

    const idleProbe = await startPingProbe(ports)
    await new Promise((resolve) => setTimeout(resolve, config.smoke ? 200 : 1_000))
    const idle = summarize(await idleProbe.stop())

    const contenders: { name: string; run: () => Promise<number> }[] = [
      { name: BASELINE, run: async () => (await Promise.all(masters.map((node) => scanAndUnlink(node, `${prefix}:patient:*`, cluster)))).reduce((a, b) => a + b, 0) },
      { name: 'cachette deletePattern', run: () => cache.deletePattern(patientKey.pattern({})) },
    ]
    const durations = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]))
    const pings = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]))
    const deletedCounts = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]))
    for (let round = 0; round < config.deletePatternRounds; round++) {
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        await filler.fill(matching, (index) => `${prefix}:patient:${index}`, STORED)
        const probe = await startPingProbe(ports)
        const runStarted = performance.now()
        let deleted: number
        try {
          deleted = await contender.run()
        } finally {
          ;(pings.get(contender.name) as number[]).push(...(await probe.stop()))
        }
        ;(durations.get(contender.name) as number[]).push(performance.now() - runStarted)
        ;(deletedCounts.get(contender.name) as number[]).push(deleted)
        log(`    ${contender.name}: ${deleted.toLocaleString('en-US')} deleted in ${formatDuration(performance.now() - runStarted)}`)
      }
    }

    const stats = new Map<string, Measured>([...durations].map(([name, samples]) => [name, summarize(samples)]))
    const extras: Record<string, RowExtras> = {}
    for (const { name } of contenders) {
      const ping = summarize(pings.get(name) as number[])
      const counts = deletedCounts.get(name) as number[]
      const verified = counts.every((count) => count === matching)
      extras[name] = {
        pingMedianMs: ping.medianMs,
        pingP99Ms: ping.p99Ms,
        pingSamples: ping.samples,
        verified,
        note: verified ? `deleted ${matching.toLocaleString('en-US')} every run` : `deleted ${counts.join(', ')} (expected ${matching})`,
      }
    }
    const store = cluster ? 'cluster' : 'redis'
    return [
      {
        id: 'delete-pattern',
        title: `deletePattern over ${total.toLocaleString('en-US')} keys removing ${matching.toLocaleString('en-US')} (${cluster ? `Redis Cluster, ${ports.length} masters` : 'Redis'})`,
        store,
        unit: `one whole deletion (${config.deletePatternRounds} runs each, alternating order); PING sampled about every millisecond from another connection while it ran`,
        rows: buildRows(
          contenders.map((contender) => contender.name),
          stats,
          extras,
        ),
        notes: [`PING with nothing else running: median ${formatDuration(idle.medianMs)}, p99 ${formatDuration(idle.p99Ms)} (${idle.samples} samples).`],
      },
    ]
  } finally {
    await filler.flushAll().catch(() => undefined)
    filler.close()
    for (const node of masters) node.disconnect()
    await cache.close({ driver: true })
  }
}
