import { fileURLToPath } from 'node:url'
import { startRedisCluster, startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe } from 'vitest'
import { describeFenceRace, killFenceRaceWorkers, runFenceRace } from './support/fence-race-harness.js'
import { registerFenceRaceTests } from './support/fence-race-tests.js'
import type { FenceRaceConfig } from './support/fence-race-process.js'
import { randomPrefix } from './support/traffic.js'

/**
 * The cache-aside race across two real Node processes sharing a real store. The reader runs 10
 * getOrSet loops whose loader reads the database, then sleeps up to 15 ms (a slow query); the
 * writer commits 5 updates (INCR in a separate redis-server) and invalidates after each. Once
 * the writer's invalidations resolved and the reader's loads settled, both read the key with
 * `cache.get`: a value other than the committed version is stale. Without the fence, a load that
 * read before a commit writes after its invalidation, and that value stays for the whole TTL.
 *
 * Every store also runs the race with `fence: false`, which must end rounds stale: otherwise 0
 * stale rounds with the fence would prove nothing (it does in about half the rounds). invalidateTags
 * has no such control: tag tokens are read as the loader starts, so without the fence the window
 * is a fraction of a millisecond and the race almost never shows (0 stale in 300 rounds on each
 * store, 1 in 60 once on the Cluster); its stale check is the one the invalidate control proves.
 */

const WORKER = fileURLToPath(new URL('./support/fence-race-worker.ts', import.meta.url))

let database: RedisServerHandle
beforeAll(async () => {
  database = await startRedisServer()
})
afterAll(async () => {
  killFenceRaceWorkers()
  await database?.stop()
})

/** The race tests on one store: `start` starts it and resolves its worker config and its stop. */
function describeRace(storeName: string, rounds: number, start: () => Promise<{ store: FenceRaceConfig['store']; stop: () => Promise<void> }>): void {
  describe(`fence race across two processes, ${storeName}`, () => {
    let store: FenceRaceConfig['store']
    let stop: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ store, stop } = await start())
    })
    afterAll(async () => {
      killFenceRaceWorkers()
      await stop?.()
    })

    async function race(fence: boolean, invalidation: FenceRaceConfig['invalidation']) {
      const result = await runFenceRace({
        worker: WORKER,
        rounds,
        config: { prefix: randomPrefix('fence'), fence, invalidation, store, database: { url: database.url } },
      })
      const label = `${storeName}, ${invalidation === 'key' ? 'invalidate' : 'invalidateTags'}, ${fence ? 'fenced' : 'fence: false'}`
      if (process.env['CACHETTE_PRINT_MEASURES']) console.log(describeFenceRace(label, result))
      return result
    }

    registerFenceRaceTests(race)
  })
}

describeRace('redis-server', 100, async () => {
  const server = await startRedisServer()
  return { store: { url: server.url }, stop: () => server.stop() }
})

describeRace('3-master Cluster', 60, async () => {
  const cluster = await startRedisCluster({ masters: 3 })
  return { store: { cluster: cluster.nodes }, stop: () => cluster.stop() }
})
