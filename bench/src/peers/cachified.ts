import { cachified, totalTtl, type Cache, type CacheEntry } from '@epic-web/cachified'
import { LRUCache } from 'lru-cache'
import { TTL_MS, type Contender } from './contender.js'

/**
 * @epic-web/cachified over lru-cache, wired as cachified's README shows. It keeps the loader's
 * object itself (no serialization): a hit returns the very object every other caller got.
 *
 * @example
 * ```ts
 * const contender = cachifiedLru()
 * ```
 */
export function cachifiedLru(): Contender {
  const lru = new LRUCache<string, CacheEntry>({ max: 100_000 })
  const cache: Cache = {
    set(key, value) {
      const ttl = totalTtl(value?.metadata)
      return lru.set(key, value, { ttl: ttl === Number.POSITIVE_INFINITY ? undefined : ttl, start: value?.metadata?.createdTime })
    },
    get: (key) => lru.get(key),
    delete: (key) => lru.delete(key),
  }
  return {
    name: 'cachified (lru-cache)',
    packageName: '@epic-web/cachified',
    getOrSet: (id, loader) => cachified({ key: `patient:${id}`, cache, getFreshValue: loader, ttl: TTL_MS }),
    async delete(id) {
      lru.delete(`patient:${id}`)
    },
    async close() {
      lru.clear()
    },
  }
}
