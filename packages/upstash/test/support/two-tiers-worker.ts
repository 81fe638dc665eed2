/**
 * A two-tier process on `@cachette/upstash`: its own driver (@upstash/redis over HTTP to the REST
 * bridge in front of a redis-server; the bus subscribes with server-sent events) and a cache with
 * the memory tier and the invalidation bus. Forked by the ioredis package's two-tiers-harness.ts
 * (`node --conditions=@cachette/source --import tsx`), configured by `TWO_TIERS_CONFIG`: `store`
 * is `{ url, token }` of the bridge. The requests it answers are shared with the ioredis tests.
 */
import { createCache } from '@cachette/core'
import { recordConnectionChanges, serveTwoTiers, twoTiersConfig } from '../../../ioredis/test/support/two-tiers-process.js'
import { upstashDriver } from '../../src/index.js'

const config = twoTiersConfig()
const driver = upstashDriver(config.store as { url: string; token: string })
const connectionLog = recordConnectionChanges(driver)
await driver.ping()
const cache = createCache({ driver, prefix: config.prefix, env: false, l1: true, ttl: '10m' })

await serveTwoTiers(cache, connectionLog, () => cache.close({ driver: true }))
