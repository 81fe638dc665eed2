import { Cacheable } from 'cacheable'
import { TTL_MS, type Contender } from './contender.js'

/**
 * cacheable with its default primary store (in-memory `CacheableMemory`, which clones values
 * with `structuredClone` on read by default).
 *
 * @example
 * ```ts
 * const contender = cacheableMemory()
 * ```
 */
export function cacheableMemory(): Contender {
  const cache = new Cacheable({ ttl: TTL_MS })
  return {
    name: 'cacheable (memory)',
    packageName: 'cacheable',
    getOrSet: (id, loader) => cache.getOrSet(`patient:${id}`, loader, { ttl: TTL_MS }),
    async delete(id) {
      await cache.delete(`patient:${id}`)
    },
    async close() {
      await cache.disconnect()
    },
  }
}
