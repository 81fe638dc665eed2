import * as z from 'zod'
import { isDurationLike, parseDuration, type Duration } from './duration.js'

/**
 * Options of `createCache({ invalidationQueue })`: what happens to an invalidation
 * (`invalidate`, `deletePattern`, `invalidateTags`) that fails because the store is
 * unreachable (down, past its deadline, or the circuit is open).
 *
 * @example
 * ```ts
 * createCache({ driver, circuitBreaker: true, invalidationQueue: { whenQueued: 'resolve' } })
 * ```
 */
export interface InvalidationQueueOptions {
  /**
   * Pending invalidations kept at most (keys, patterns and tags together, each counted once
   * however often it was invalidated). Past it, an invalidation is not queued: it is counted in
   * `stats().invalidationsDropped`, logged, and the call rejects whatever `whenQueued` says.
   *
   * @default 10000
   * @example
   * ```ts
   * createCache({ driver, invalidationQueue: { maxSize: 50_000 } }) // many keys invalidated per outage
   * ```
   */
  readonly maxSize?: number
  /**
   * How often the queue retries while it holds something. It also retries at once when the
   * circuit breaker closes and when a write reaches the store again.
   *
   * @default '1s'
   * @example
   * ```ts
   * createCache({ driver, invalidationQueue: { retryInterval: '5s' } })
   * ```
   */
  readonly retryInterval?: Duration
  /**
   * What the call does once its invalidation is queued. `'reject'`: rejects with the store error
   * as without a queue (the caller knows; the queue retries anyway, so nothing is lost if the
   * caller does not). `'resolve'`: resolves (`invalidate`/`deletePattern` resolve 0), because the
   * queue now owns the invalidation.
   *
   * @default 'reject'
   * @example
   * ```ts
   * createCache({ driver, circuitBreaker: true, invalidationQueue: { whenQueued: 'resolve' } })
   * await cache.invalidate(patientKey({ id: 42 })) // resolves 0 while the store is down
   * ```
   */
  readonly whenQueued?: 'reject' | 'resolve'
}

/** Queue settings after parsing. */
export interface InvalidationQueueConfig {
  readonly maxSize: number
  readonly retryIntervalMs: number
  readonly whenQueued: 'reject' | 'resolve'
}

/** The zod schema of the `invalidationQueue` option. */
export const invalidationQueueSchema = z.union([
  z.boolean(),
  z.strictObject({
    maxSize: z.number().int().min(1).max(10_000_000).optional(),
    retryInterval: z.custom<Duration>((value) => isDurationLike(value), { message: 'expected a duration' }).optional(),
    whenQueued: z.enum(['reject', 'resolve']).optional(),
  }),
])

/**
 * The queue settings of an option value (validated by {@link invalidationQueueSchema}); on by default.
 *
 * @example
 * ```ts
 * resolveInvalidationQueue(undefined) // { maxSize: 10000, retryIntervalMs: 1000, whenQueued: 'reject' }
 * ```
 */
export function resolveInvalidationQueue(option: boolean | InvalidationQueueOptions | undefined): InvalidationQueueConfig | undefined {
  if (option === false) return undefined
  const given = option === undefined || option === true ? {} : option
  return {
    maxSize: given.maxSize ?? 10_000,
    retryIntervalMs: Math.max(10, parseDuration(given.retryInterval ?? '1s')),
    whenQueued: given.whenQueued ?? 'reject',
  }
}
