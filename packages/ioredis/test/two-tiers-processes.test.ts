import { fileURLToPath } from 'node:url'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killPubSubConnections } from './support/kill-pubsub.js'
import { forkTwoTiersWorkers, killTwoTiersWorkers, type TwoTiersWorker } from './support/two-tiers-harness.js'
import { busKillUntilMissed, convergenceTable, waitUntilServing } from './support/two-tiers-scenarios.js'
import { randomPrefix } from './support/traffic.js'

/**
 * Two tiers across real processes: three Node processes, each with its own ioredisDriver and
 * createCache({ l1: true }), on one redis-server. Every kind of invalidation made in one process
 * must stop the other two serving the old value from memory within 50 ms; a killed bus
 * connection must never let a process serve a value invalidated while it was not subscribed.
 */

const WORKER = fileURLToPath(new URL('./support/two-tiers-worker.ts', import.meta.url))
const REPS = 20

describe('two tiers: three processes on one redis-server', () => {
  let server: RedisServerHandle
  let workers: TwoTiersWorker[] = []

  beforeAll(async () => {
    server = await startRedisServer()
    workers = await forkTwoTiersWorkers(WORKER, ['p1', 'p2', 'p3'], { prefix: randomPrefix('two-tiers'), store: { url: server.url } })
    await waitUntilServing(workers, 10_000)
  }, 90_000)

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop())).catch(() => undefined)
    killTwoTiersWorkers()
    await server?.stop()
  }, 30_000)

  it('every invalidation kind in p1 stops p2 and p3 serving the old value within 50 ms', async () => {
    await convergenceTable(workers, ['set', 'invalidate', 'deletePattern', 'invalidateTags', 'expire', 'expireTags', 'clear'], REPS, 'ioredis, one redis-server')
  }, 120_000)

  it('CLIENT KILL TYPE pubsub, then p1 invalidates at once: no process ever serves an invalidated value, and all serve again', async () => {
    const { outagesMs, missedCounts, undetectedSightings, runs } = await busKillUntilMissed(workers, () => killPubSubConnections([{ port: server.port }]), 'standalone')
    console.log(`two-tier bus kill, ioredis standalone: not serving for ${outagesMs.map((ms) => ms.toFixed(1)).join(' / ')} ms (p1 / p2 / p3); p1's 8 calls that resolved during p2's / p3's outage: ${missedCounts.join(' / ')}; old values read before a reader was told of its loss: ${undetectedSightings}; kills until both readers missed messages: ${runs}`)
    // A second kill on the same processes: the reconnect path works more than once.
    await busKillUntilMissed(workers, () => killPubSubConnections([{ port: server.port }]), 'standalone-again')
    expect((await workers[1]!.stats()).l1?.busReceived).toBeGreaterThan(0)
  }, 120_000)
})
