/**
 * A two-tier process on `@cachette/ioredis`: its own driver (a redis-server or a Cluster) and a
 * cache with the memory tier and the invalidation bus. Forked by two-tiers-harness.ts (`node
 * --conditions=@cachette/source --import tsx`), configured by `TWO_TIERS_CONFIG`: `store` is
 * `{ url }` or `{ cluster: [{ host, port }] }`.
 */
import { createCache } from '@cachette/core'
import { ioredisDriver, type IoredisNodeAddress } from '../../src/index.js'
import { recordConnectionChanges, serveTwoTiers, twoTiersConfig } from './two-tiers-process.js'

const config = twoTiersConfig()
const driver = ioredisDriver(config.store as { url: string } | { cluster: IoredisNodeAddress[] })
const connectionLog = recordConnectionChanges(driver)
// A Cluster client may take longer than one ping's deadline to discover the slots while three
// processes start at once on a small machine: ping until it answers.
for (let attempt = 1; ; attempt++) {
  try {
    await driver.ping()
    break
  } catch (error) {
    if (attempt >= 20) throw error
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
const cache = createCache({ driver, prefix: config.prefix, env: false, l1: true, ttl: '10m' })

await serveTwoTiers(cache, connectionLog, () => cache.close({ driver: true }))
