/**
 * A fence race process on `@cachette/ioredis`: the cache on a redis-server or a Cluster, the
 * database on a separate redis-server read through a raw ioredis client. Forked by
 * fence-race-harness.ts (`node --conditions=@cachette/source --import tsx`), configured by
 * `FENCE_RACE_CONFIG`: `store` is `{ url }` or `{ cluster: [{ host, port }] }`, `database` is `{ url }`.
 */
import { Redis } from 'ioredis'
import { createCache } from '@cachette/core'
import { ioredisDriver, type IoredisNodeAddress } from '../../src/index.js'
import { fenceRaceCacheOptions, fenceRaceConfig, serveFenceRace } from './fence-race-process.js'
import { pingUntilReady } from './ping-until-ready.js'

const config = fenceRaceConfig()
const store = config.store as { url: string } | { cluster: IoredisNodeAddress[] }
const driver = ioredisDriver(store)
const cache = createCache({ driver, ...fenceRaceCacheOptions(config) })
const db = new Redis((config.database as { url: string }).url, { lazyConnect: true, maxRetriesPerRequest: 0 })
await Promise.all([db.connect(), pingUntilReady(driver)])

await serveFenceRace(config, {
  cache,
  database: {
    increment: (row) => db.incr(row),
    read: async (row) => Number(await db.get(row)),
  },
  close: async () => {
    await cache.close({ driver: true })
    await db.quit()
  },
})
