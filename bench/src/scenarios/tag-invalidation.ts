import { createCache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { Cluster, Redis } from 'ioredis'
import { measureRounds, measureTasks, type Measured, type TimedTask } from '../measure.js'
import { TTL_MS, runId } from '../peers/contender.js'
import { formatDuration } from '../report.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { tinyValue } from '../values.js'
import type { ScenarioContext } from './context.js'
import { createFiller } from './fill.js'

/**
 * Scenario 6: invalidating one tag carried by N entries (10 and 100,000). Cachette replaces the
 * tag's version token (one SET); bentocache records the tag's invalidation time; the baseline is
 * what people write without tag support: a Redis SET of member keys per tag, and on invalidation
 * SMEMBERS + UNLINK every member.
 *
 * Every count lives in the same store at the same time, one tag per count, and Cachette's and
 * bentocache's invalidations of all the tags are timed in one interleaved measurement: "as fast
 * with 100,000 entries as with 10" is then compared under the same load, not minutes apart. Their
 * cost does not depend on the entries, so each tag is invalidated many times; the baseline
 * deletes the entries, so it refills them (untimed) before each of its runs. Afterwards an entry
 * of every tag must read as a miss.
 */

const BASELINE = 'baseline: SET of member keys, SMEMBERS + UNLINK'
const CACHETTE = 'cachette invalidateTags'
const BENTO = 'bentocache (redis) deleteByTag'
const WRITE_CONCURRENCY = 1_000

async function inChunks(count: number, write: (index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += WRITE_CONCURRENCY) {
    const writes: Promise<unknown>[] = []
    for (let index = start; index < Math.min(count, start + WRITE_CONCURRENCY); index++) writes.push(write(index))
    await Promise.all(writes)
  }
}

function redisClient(target: RedisTarget): Redis | Cluster {
  return target.kind === 'standalone'
    ? new Redis({ host: target.host, port: target.port, enableAutoPipelining: true })
    : new Cluster(target.nodes.map(({ host, port }) => ({ host, port })), { enableAutoPipelining: true })
}

/** The hand-written tag index. */
async function naiveInvalidate(client: Redis | Cluster, tagSet: string, cluster: boolean): Promise<number> {
  const members = await client.smembers(tagSet)
  let deleted = 0
  for (let start = 0; start < members.length; start += 500) {
    const batch = members.slice(start, start + 500)
    // On a cluster the members span slots: one UNLINK per key (auto-pipelined per node).
    deleted += cluster ? (await Promise.all(batch.map((key) => client.unlink(key)))).reduce((a, b) => a + b, 0) : await client.unlink(...batch)
  }
  await client.unlink(tagSet)
  return deleted
}

function missed(gone: boolean): RowExtras {
  return { verified: gone, note: gone ? 'entry 0 served before, a miss afterwards' : 'FAILED: entry 0 not served before, or still served after' }
}

/**
 * Tag invalidation with each count of `tagEntryCounts` on `target`, one table per count; the last
 * table says how the largest count compares with the smallest.
 *
 * @example
 * ```ts
 * const tables = await runTagInvalidation(ctx, servers.standalone)
 * ```
 */
export async function runTagInvalidation(ctx: ScenarioContext, target: RedisTarget): Promise<ScenarioResult[]> {
  const { config, log } = ctx
  const counts = config.tagEntryCounts
  const cluster = target.kind === 'cluster'
  const run = runId()
  const cache = createCache({
    driver: cluster ? ioredisDriver({ cluster: target.nodes }) : ioredisDriver({ url: target.url }),
    prefix: `bench:${run}:tags`,
    ttl: TTL_MS,
  })
  const bento = new BentoCache({
    default: 'cache',
    prefix: `bench:${run}:bento`,
    stores: { cache: bentostore().useL2Layer(redisDriver({ connection: cluster ? new Cluster(target.nodes.map(({ host, port }) => ({ host, port }))) : { host: target.host, port: target.port } })) },
  })
  const client = redisClient(target)
  const filler = createFiller(target)
  const naivePrefix = `bench:${run}:naive`
  const tagOf = (entries: number) => `tenant:${entries}`
  const keyOf = (entries: number, index: number) => `list:${entries}:${index}`
  try {
    const started = performance.now()
    for (const entries of counts) {
      await inChunks(entries, (index) => cache.set(keyOf(entries, index), tinyValue, { tags: [tagOf(entries)] }))
      await inChunks(entries, (index) => bento.set({ key: keyOf(entries, index), value: tinyValue, tags: [tagOf(entries)], ttl: TTL_MS }))
    }
    log(`    filled ${counts.map((entries) => entries.toLocaleString('en-US')).join(' + ')} tagged entries per library in ${formatDuration(performance.now() - started)}`)

    // Both libraries must serve an entry before the invalidation, for the miss afterwards to mean anything.
    const servedBefore = new Map<string, boolean>()
    for (const entries of counts) {
      servedBefore.set(`${CACHETTE}/${entries}`, (await cache.get(keyOf(entries, 0))) !== undefined)
      servedBefore.set(`${BENTO}/${entries}`, (await bento.get({ key: keyOf(entries, 0) })) !== undefined)
    }
    const tasks: TimedTask[] = counts.flatMap((entries) => [
      { name: `${CACHETTE}/${entries}`, fn: () => cache.invalidateTags([tagOf(entries)]) },
      { name: `${BENTO}/${entries}`, fn: () => bento.deleteByTag({ tags: [tagOf(entries)] }) },
    ])
    const stats = await measureTasks(tasks, config)

    const results: ScenarioResult[] = []
    for (const entries of counts) {
      const tagSet = `${naivePrefix}:tag:${tagOf(entries)}`
      const naiveDeleted: number[] = []
      const naive = await measureRounds(
        config.naiveTagRounds,
        async () => {
          await filler.fill(entries, (index) => `${naivePrefix}:${keyOf(entries, index)}`, JSON.stringify(tinyValue))
          await inChunks(Math.ceil(entries / 1_000), (chunk) => {
            const members: string[] = []
            for (let index = chunk * 1_000; index < Math.min(entries, (chunk + 1) * 1_000); index++) members.push(`${naivePrefix}:${keyOf(entries, index)}`)
            return client.sadd(tagSet, ...members)
          })
        },
        async () => {
          naiveDeleted.push(await naiveInvalidate(client, tagSet, cluster))
        },
      )
      const table = new Map<string, Measured>([
        [BASELINE, naive],
        [CACHETTE, stats.get(`${CACHETTE}/${entries}`) as Measured],
        [BENTO, stats.get(`${BENTO}/${entries}`) as Measured],
      ])
      const extras: Record<string, RowExtras> = {
        [BASELINE]: missed(naiveDeleted.every((count) => count === entries) && (await client.exists(`${naivePrefix}:${keyOf(entries, 0)}`)) === 0),
        [CACHETTE]: missed(servedBefore.get(`${CACHETTE}/${entries}`) === true && (await cache.get(keyOf(entries, 0))) === undefined),
        [BENTO]: missed(servedBefore.get(`${BENTO}/${entries}`) === true && (await bento.get({ key: keyOf(entries, 0) })) === undefined),
      }
      results.push({
        id: 'tag-invalidation',
        title: `Tag invalidation, ${entries.toLocaleString('en-US')} tagged entries (${cluster ? 'Redis Cluster' : 'Redis'})`,
        store: cluster ? 'cluster' : 'redis',
        unit: `one invalidation of a tag carried by ${entries.toLocaleString('en-US')} entries (Cachette and bentocache: measured interleaved with the other counts' tags; the baseline: ${config.naiveTagRounds} runs, each after a refill)`,
        rows: buildRows([BASELINE, CACHETTE, BENTO], table, extras),
      })
    }

    const smallest = counts[0]
    const largest = counts[counts.length - 1]
    const last = results[results.length - 1]
    if (smallest !== undefined && largest !== undefined && smallest !== largest && last !== undefined) {
      const ratio = (name: string) => {
        const large = stats.get(`${name}/${largest}`) as Measured
        const small = stats.get(`${name}/${smallest}`) as Measured
        return `${(large.medianMs / small.medianMs).toFixed(2)}× (${formatDuration(large.medianMs)} vs ${formatDuration(small.medianMs)})`
      }
      const note = `With ${largest.toLocaleString('en-US')} entries ÷ with ${smallest.toLocaleString('en-US')}, median: Cachette ${ratio(CACHETTE)}, bentocache ${ratio(BENTO)}.`
      results[results.length - 1] = { ...last, notes: [...(last.notes ?? []), note] }
    }
    return results
  } finally {
    await filler.flushAll().catch(() => undefined)
    filler.close()
    client.disconnect()
    await Promise.allSettled([cache.close({ driver: true }), bento.disconnectAll()])
  }
}
