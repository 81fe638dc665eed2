/**
 * A fence race process on `@cachette/upstash`: the cache through @upstash/redis and the REST
 * bridge to a redis-server, the database on a separate redis-server behind its own bridge, read
 * with a raw @upstash/redis client. Forked by the ioredis package's fence-race-harness.ts (`node
 * --conditions=@cachette/source --import tsx`), configured by `FENCE_RACE_CONFIG`: `store` and
 * `database` are each `{ url, token }` of a bridge. The race itself is shared with the ioredis tests.
 */
import { Redis } from '@upstash/redis'
import { createCache } from '@cachette/core'
import { fenceRaceCacheOptions, fenceRaceConfig, serveFenceRace } from '../../../ioredis/test/support/fence-race-process.js'
import { upstashDriver } from '../../src/index.js'

const config = fenceRaceConfig()
const driver = upstashDriver(config.store as { url: string; token: string })
const cache = createCache({ driver, ...fenceRaceCacheOptions(config) })
const db = new Redis({ ...(config.database as { url: string; token: string }), automaticDeserialization: false, enableTelemetry: false, retry: false })
await Promise.all([db.ping(), driver.ping()])

await serveFenceRace(config, {
  cache,
  database: {
    increment: (row) => db.incr(row),
    read: async (row) => Number(await db.get<string>(row)),
  },
  close: () => cache.close({ driver: true }),
})
