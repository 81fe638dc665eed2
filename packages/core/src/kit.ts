import type { Cache } from './create-cache.js'
import type { DriverCapability } from './driver/driver.js'
import { InvalidOptionsError } from './errors.js'
import type { CacheKit, KitOptions } from './kit/kit-api.js'
import { OPEN_KIT } from './kit/kit-symbol.js'

export type { CacheKit, KitAttributes, KitCallOptions, KitCounter, KitFence, KitHistogram, KitIndexOptions, KitInstrumentOptions, KitInvalidation, KitOperation, KitOptions } from './kit/kit-api.js'
export { FlightGroup } from './kit/flight-group.js'
export { isSealed } from './kit/sealed-value.js'
export type { FlightState } from './kit/flight-group.js'

/**
 * The kit of a cache, for a domain package built on it (`@cachette/patient`, `@cachette/fhir-export`):
 * store calls run exactly as the cache runs its own (deadline, circuit breaker, error mapping,
 * redacted logging, events, the shared `cache_*` instruments with the package's `key_prefix`),
 * single flight, the cache's invalidation queue and fence, its stats. See docs/domain-packages.md.
 *
 * @throws InvalidOptionsError when `cache` is not a cache from `createCache()` or an option is invalid;
 *   MissingCapabilityError when the cache's driver lacks a group in `requires`.
 * @example
 * ```ts
 * import { cacheKit } from '@cachette/core/kit'
 *
 * const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', requires: ['hashes', 'batch'] })
 * const hash = await kit.call('get', (driver) => driver.hgetall(storeKey))
 * ```
 */
export function cacheKit<C extends DriverCapability = never>(cache: Cache, options: KitOptions<C>): CacheKit<C> {
  const open = (cache as unknown as Record<symbol, unknown> | null | undefined)?.[OPEN_KIT]
  if (typeof open !== 'function') throw new InvalidOptionsError('[@cachette/core] cacheKit: expected a cache from createCache()')
  return open(options) as CacheKit<C>
}
