import { createCache, memoryDriver, type Cache, type CacheLogger, type CacheOptions, type Driver } from '@cachette/core'
import { createFakeClock, type FakeClock } from '../fake-clock.js'
import { recordCacheEvents, type CacheEventRecorder } from './cache-event-recorder.js'

/** The store failures a test provokes on purpose would print a warning each: the recorder has them as `error` events. */
const SILENT: CacheLogger = { warn: () => undefined }

/** Options of {@link createTestCache}: `createCache`'s options, with a fake clock and a driver made on it. */
export interface TestCacheOptions<D extends Driver = Driver> extends Omit<CacheOptions, 'driver' | 'clock'> {
  /**
   * The clock of the cache and of the default driver.
   * @default createFakeClock()
   * @example
   * ```ts
   * createTestCache({ clock: createFakeClock(Date.UTC(2030, 0, 1)) })
   * ```
   */
  readonly clock?: FakeClock
  /**
   * The store, made on the test's clock: give a function to wrap or configure the memory driver
   * (the chaos driver, `maxEntries`). A driver given here is closed by `close()` too.
   * @default (clock) => memoryDriver({ clock })
   * @example
   * ```ts
   * const { cache, driver } = createTestCache({ driver: (clock) => chaosDriver(memoryDriver({ clock })) })
   * driver.chaos.set({ failureRate: 1 }) // the store is down
   * ```
   */
  readonly driver?: (clock: FakeClock) => D
}

/** What {@link createTestCache} returns. */
export interface TestCache<D extends Driver = Driver> {
  /**
   * A cache on `driver` and `clock`, `env: false` unless told otherwise.
   * @example
   * ```ts
   * await cache.set('k', 1, { ttl: '1m' })
   * ```
   */
  readonly cache: Cache
  /**
   * The fake clock both the cache and the default driver read.
   * @example
   * ```ts
   * clock.advance(60_000) // the 1-minute entry has expired
   * ```
   */
  readonly clock: FakeClock
  /**
   * The driver under the cache (the one your app code gets injected).
   * @example
   * ```ts
   * await driver.set('k', '{not json', { ttlMs: 60_000 }) // a corrupt entry, written behind the cache's back
   * ```
   */
  readonly driver: D
  /**
   * The cache's events since it was made.
   * @example
   * ```ts
   * assert.deepEqual(events.types(), ['miss', 'set', 'hit'])
   * ```
   */
  readonly events: CacheEventRecorder
  /**
   * Closes the cache and its driver.
   * @example
   * ```ts
   * afterEach(() => testCache.close())
   * ```
   */
  close(): Promise<void>
}

/**
 * A fresh cache for one test: a memory driver and the cache on one fake clock, an event recorder,
 * and no environment read. One per test: nothing is shared between tests.
 *
 * @param options - `createCache`'s options (prefix, ttl, grace, lock...), plus `clock` and `driver`.
 * @default options `{}`: `createFakeClock()`, `memoryDriver({ clock })`, `env: false`, and a
 * `logger` that prints nothing (the failures a test provokes are `error` events in `events`; pass
 * `logger` to see them)
 * @example
 * ```ts
 * import { createTestCache } from '@cachette/testing'
 *
 * const { cache, clock, events, close } = createTestCache({ ttl: '1m' })
 * await cache.getOrSet('k', () => 1)
 * clock.advance(60_000)
 * await cache.getOrSet('k', () => 2) // expired: loaded again
 * events.types() // ['miss', 'set', 'miss', 'set']
 * await close()
 * ```
 */
export function createTestCache<D extends Driver = Driver>(options: TestCacheOptions<D> = {}): TestCache<D> {
  const { clock = createFakeClock(), driver: makeDriver, ...cacheOptions } = options
  const driver = makeDriver === undefined ? (memoryDriver({ clock }) as Driver as D) : makeDriver(clock)
  const cache = createCache({ env: false, logger: SILENT, ...cacheOptions, driver, clock })
  const events = recordCacheEvents(cache)
  return { cache, clock, driver, events, close: () => cache.close({ driver: true }) }
}
