import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import { InvalidOptionsError } from '../errors.js'
import { deletePattern } from './cache-invalidation.js'

/**
 * `cache.clear`: every entry below the cache's prefix, on every master (SCAN on each), with its
 * tag tokens, locks and tombstones; the memory tier of this process at once and of the others
 * through the bus. Resolves how many store keys existed. Refused without a prefix, where it would
 * be the whole database. Rejects on a store failure, like deletePattern (queued if the cache has
 * an invalidation queue).
 *
 * @throws InvalidOptionsError when the cache has no prefix.
 * @example
 * ```ts
 * await cache.clear() // identity:* gone, in every tier and process
 * ```
 */
export async function clearAll(rt: CacheRuntime): Promise<number> {
  if (rt.config.keyPrefix === '') {
    throw new InvalidOptionsError('[@cachette/core] clear() needs a cache with a prefix: without one it would delete every key of the database (use deletePattern for that, knowingly)')
  }
  // deletePattern drops every memory-tier entry of the prefix here (all of them) and tells the
  // other processes to drop everything.
  return deletePattern(rt, '*', { clear: true })
}
