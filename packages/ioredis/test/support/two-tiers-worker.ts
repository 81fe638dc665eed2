/**
 * A two-tier process on `@cachette/ioredis`: its own driver (a redis-server or a Cluster) and a
 * cache with the memory tier and the invalidation bus. Forked by two-tiers-harness.ts (`node
 * --conditions=@cachette/source --import tsx`), configured by `TWO_TIERS_CONFIG`: `store` is
 * `{ url }` or `{ cluster: [{ host, port }] }`.
 */
import { createCache } from '@cachette/core'
import { ioredisDriver, type IoredisNodeAddress } from '../../src/index.js'
import { recordConnectionChanges, serveTwoTiers, twoTiersConfig } from './two-tiers-process.js'
import { pingUntilReady } from './ping-until-ready.js'

const config = twoTiersConfig()
const driver = ioredisDriver(config.store as { url: string } | { cluster: IoredisNodeAddress[] })
const connectionLog = recordConnectionChanges(driver)
await pingUntilReady(driver)
const cache = createCache({ driver, prefix: config.prefix, env: false, l1: true, ttl: '10m' })

await serveTwoTiers(cache, connectionLog, () => cache.close({ driver: true }))
