import type { RedisTarget } from '../servers.js'
import { keyvOnRedis } from './cache-manager.js'
import { TTL_MS, type Contender } from './contender.js'

/**
 * keyv with `@keyv/redis`. Keyv has no read-through, so this is the get-then-set its users
 * write (without single flight: a stampede calls the loader once per caller, as it would in an app).
 *
 * @example
 * ```ts
 * const contender = keyvRedis(servers.standalone)
 * ```
 */
export function keyvRedis(target: RedisTarget): Contender {
  const keyv = keyvOnRedis(target)
  return {
    name: 'keyv (@keyv/redis)',
    packageName: 'keyv',
    async getOrSet(id, loader) {
      const key = `patient:${id}`
      const cached: unknown = await keyv.get(key)
      if (cached !== undefined) return cached
      const value = await loader()
      await keyv.set(key, value, TTL_MS)
      return value
    },
    async delete(id) {
      await keyv.delete(`patient:${id}`)
    },
    async close() {
      await keyv.disconnect()
    },
  }
}
