import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { forkTwoTiersWorkers, killTwoTiersWorkers, type TwoTiersWorker } from '../../ioredis/test/support/two-tiers-harness.js'
import { convergenceTable, waitUntilServing } from '../../ioredis/test/support/two-tiers-scenarios.js'
import { useUpstashServer } from './support/upstash-server.js'

/**
 * Two tiers across real processes on Upstash: three Node processes, each with its own
 * upstashDriver (a real @upstash/redis client over HTTP to the REST bridge in front of a real
 * redis-server) and createCache({ l1: true }). Reads and writes are REST calls; the bus publishes
 * with a REST PUBLISH and listens on a server-sent-events stream. An invalidation or a write in
 * one process must stop the other two serving the old value within 50 ms on loopback.
 */

const WORKER = fileURLToPath(new URL('./support/two-tiers-worker.ts', import.meta.url))
const REPS = 20

describe('two tiers: three processes on Upstash (REST bridge)', () => {
  const server = useUpstashServer()
  let workers: TwoTiersWorker[] = []

  beforeAll(async () => {
    const { bridge } = server()
    workers = await forkTwoTiersWorkers(WORKER, ['p1', 'p2', 'p3'], {
      prefix: `two-tiers-upstash:${Math.random().toString(36).slice(2, 10)}`,
      store: { url: bridge.url, token: bridge.token },
    })
    await waitUntilServing(workers, 15_000)
  }, 90_000)

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop())).catch(() => undefined)
    killTwoTiersWorkers()
  }, 30_000)

  it('invalidate, invalidateTags, set (and every other kind) in p1 stop p2 and p3 serving the old value within 50 ms', async () => {
    await convergenceTable(workers, ['set', 'invalidate', 'invalidateTags', 'deletePattern', 'expire', 'expireTags', 'clear'], REPS, 'Upstash over the REST bridge')
  }, 120_000)
})
