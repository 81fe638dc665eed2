import { createKeyv } from '@keyv/redis'
import KeyvRedis, { createCluster } from '@keyv/redis'
import { createCache, type Cache } from 'cache-manager'
import { Keyv } from 'keyv'
import type { RedisTarget } from '../servers.js'
import { TTL_MS, runId, type Contender } from './contender.js'

function cacheManagerContender(name: string, cache: Cache): Contender {
  return {
    name,
    packageName: 'cache-manager',
    // wrap() is cache-manager's read-through (it coalesces concurrent calls per key).
    getOrSet: (id, loader) => cache.wrap(`patient:${id}`, loader, TTL_MS),
    async delete(id) {
      await cache.del(`patient:${id}`)
    },
    async close() {
      await cache.disconnect()
    },
  }
}

/**
 * cache-manager 7 with its default store, a Keyv in memory (`stores: [new Keyv()]`).
 *
 * @example
 * ```ts
 * const contender = cacheManagerMemory()
 * ```
 */
export function cacheManagerMemory(): Contender {
  return cacheManagerContender('cache-manager (keyv memory)', createCache({ stores: [new Keyv({ namespace: `bench-${runId()}` })] }))
}

/**
 * cache-manager 7 with `@keyv/redis`, as its README sets it up (`createKeyv(url)`); on the
 * cluster, `new KeyvRedis(createCluster(...))` as @keyv/redis documents.
 *
 * @example
 * ```ts
 * const contender = cacheManagerRedis(servers.standalone)
 * ```
 */
export function cacheManagerRedis(target: RedisTarget): Contender {
  return cacheManagerContender('cache-manager (@keyv/redis)', createCache({ stores: [keyvOnRedis(target)] }))
}

/**
 * A Keyv on `@keyv/redis` (node-redis underneath), namespaced for this run.
 *
 * @example
 * ```ts
 * const keyv = keyvOnRedis(servers.standalone)
 * ```
 */
export function keyvOnRedis(target: RedisTarget): Keyv {
  const namespace = `bench-${runId()}`
  if (target.kind === 'standalone') return createKeyv(target.url, { namespace })
  const cluster = createCluster({ rootNodes: target.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) })
  return new Keyv({ store: new KeyvRedis(cluster, { namespace }), namespace })
}
