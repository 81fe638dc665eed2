import { fileURLToPath } from 'node:url'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { killPubSubConnections } from './support/kill-pubsub.js'
import { forkTwoTiersWorkers, killTwoTiersWorkers, type TwoTiersWorker } from './support/two-tiers-harness.js'
import { busKillUntilMissed, convergenceTable, waitUntilServing } from './support/two-tiers-scenarios.js'
import { randomPrefix } from './support/traffic.js'

/**
 * Two tiers across real processes on a real 3-master Redis Cluster: three Node processes, each
 * with its own `ioredisDriver({ cluster })` and createCache({ l1: true }). The bus is one channel
 * (PUBLISH reaches every node's subscribers through the cluster bus); keys, tags and patterns
 * spread over the three masters.
 */

const WORKER = fileURLToPath(new URL('./support/two-tiers-worker.ts', import.meta.url))
const REPS = 20
/**
 * A Cluster's subscriber reconnects to a node at once (no retry delay), within a few ms: a single
 * kill leaves p1 too short a window to invalidate while the others are unsubscribed. So the kill
 * is repeated on every master every ~2 ms for this long, while p1 invalidates.
 */
const KILL_STORM_MS = 60

/**
 * CLIENT KILL TYPE pubsub on every master, repeated through admin connections opened beforehand;
 * resolves after the first round, the rest goes on for KILL_STORM_MS.
 */
async function killStorm(ports: readonly number[]): Promise<void> {
  const admins = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }))
  await Promise.all(admins.map((admin) => admin.connect()))
  const killAll = () => Promise.all(admins.map((admin) => admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')))
  await killAll()
  const until = Date.now() + KILL_STORM_MS
  void (async () => {
    try {
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 2))
        await killAll()
      }
    } finally {
      for (const admin of admins) admin.disconnect()
    }
  })()
}

describe('two tiers: three processes on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let workers: TwoTiersWorker[] = []

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    workers = await forkTwoTiersWorkers(WORKER, ['p1', 'p2', 'p3'], { prefix: randomPrefix('two-tiers-cluster'), store: { cluster: cluster.nodes } })
    await waitUntilServing(workers, 15_000)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop())).catch(() => undefined)
    killTwoTiersWorkers()
    await cluster?.stop()
  }, 30_000)

  it('invalidate, invalidateTags, deletePattern, clear and set in p1 stop p2 and p3 serving the old value within 50 ms', async () => {
    await convergenceTable(workers, ['set', 'invalidate', 'deletePattern', 'invalidateTags', 'expire', 'expireTags', 'clear'], REPS, 'ioredis, 3-master Cluster')
  }, 120_000)

  it('CLIENT KILL TYPE pubsub on every master, then p1 invalidates at once: no process ever serves an invalidated value, and all serve again', async () => {
    // A single kill on every master first (the subscriber reconnects, usually before p1's calls resolve) ...
    await killPubSubConnections(cluster.masters.map((master) => ({ port: master.port })))
    await waitUntilServing(workers, 15_000)
    // ... then the scenario, with the kill repeated while p1 invalidates.
    const kill = () => killStorm(cluster.masters.map((master) => master.port))
    const first = await busKillUntilMissed(workers, kill, 'cluster')
    console.log(`two-tier bus kill, ioredis Cluster: not serving for ${first.outagesMs.map((ms) => ms.toFixed(1)).join(' / ')} ms (p1 / p2 / p3); p1's 8 calls that resolved during p2's / p3's outage: ${first.missedCounts.join(' / ')}; old values read before a reader was told of its loss: ${first.undetectedSightings}; kills until both readers missed messages: ${first.runs}`)
    // Again: each subscriber now sits on whichever node it reconnected to.
    await busKillUntilMissed(workers, kill, 'cluster-again')
  }, 120_000)
})
