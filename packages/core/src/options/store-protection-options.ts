import * as z from 'zod'
import { findDiagnosticsChannel, type CacheEventListeners, type DiagnosticsChannelModule } from '../observability/cache-events.js'
import { circuitBreakerSchema, resolveCircuitBreaker, type CircuitBreakerConfig, type CircuitBreakerOptions } from '../resilience/circuit-breaker.js'
import { isCacheError } from '../errors.js'
import { invalidationQueueSchema, resolveInvalidationQueue, type InvalidationQueueConfig, type InvalidationQueueOptions } from './invalidation-queue-options.js'

/**
 * The `createCache` options that protect the application from its store and report on it: the
 * circuit breaker, the invalidation queue, events and diagnostics_channel. See docs/resilience.md.
 */
export interface StoreProtectionOptions {
  /**
   * A circuit breaker in front of the store: after `failureThreshold` failures in a row within
   * `window`, store calls are skipped at once for `openDuration` (reads miss, getOrSet calls the
   * loader, invalidations are queued) instead of each waiting for its deadline; then one probe
   * call decides whether it closes. Its state shows in `health().circuit` and the
   * `cache_circuit_state` gauge. `true` uses the defaults.
   *
   * @default false
   * @example
   * ```ts
   * createCache({ driver, circuitBreaker: { failureThreshold: 5, window: '10s', openDuration: '5s' } })
   * ```
   */
  readonly circuitBreaker?: boolean | CircuitBreakerOptions
  /**
   * The queue of invalidations that failed on an unreachable store: they are retried until they
   * succeed (on a timer, when the circuit closes, when a write succeeds again), counted, and
   * meanwhile this process reads the entries they cover as misses. `false` turns it off (a
   * failed invalidation is then only reported to its caller).
   *
   * @default { maxSize: 10000, retryInterval: '1s', whenQueued: 'reject' }
   * @example
   * ```ts
   * createCache({ invalidationQueue: { whenQueued: 'resolve' } })
   * ```
   */
  readonly invalidationQueue?: boolean | InvalidationQueueOptions
  /**
   * Event listeners, by event name (`hit`, `miss`, `staleHit`, `set`, `delete`, `error`,
   * `circuitOpened`, `circuitClosed`); `cache.on()` adds more later. Events carry the key family
   * label and template, never a value, key or parameter.
   *
   * @default none
   * @example
   * ```ts
   * createCache({ events: { staleHit: (event) => log.info('served stale', event.keyPrefix) } })
   * ```
   */
  readonly events?: CacheEventListeners
  /**
   * Publishes every event on `diagnostics_channel` channels named `cachette:<event>`
   * (`cachette:hit`, `cachette:error`...), for APM tools. `true` finds Node's module through
   * `process.getBuiltinModule` (core imports no `node:` module, so it still runs on edge
   * runtimes, where this is a no-op); or pass the module yourself.
   *
   * @default false
   * @example
   * ```ts
   * import diagnosticsChannel from 'node:diagnostics_channel'
   * createCache({ diagnosticsChannel })
   * ```
   */
  readonly diagnosticsChannel?: boolean | DiagnosticsChannelModule
}

const EVENT_NAMES = new Set(['hit', 'miss', 'staleHit', 'set', 'delete', 'error', 'circuitOpened', 'circuitClosed'])

/** The zod shape of {@link StoreProtectionOptions}, spread into the createCache schema. */
export const storeProtectionShape = {
  circuitBreaker: circuitBreakerSchema.optional(),
  invalidationQueue: invalidationQueueSchema.optional(),
  events: z
    .custom<CacheEventListeners>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        Object.entries(value).every(([name, listener]) => EVENT_NAMES.has(name) && (listener === undefined || typeof listener === 'function')),
      { message: `expected { [event]: listener } with events among ${[...EVENT_NAMES].join(', ')}` },
    )
    .optional(),
  diagnosticsChannel: z
    .union([
      z.boolean(),
      z.custom<DiagnosticsChannelModule>((value) => typeof (value as { channel?: unknown } | null)?.channel === 'function', {
        message: 'expected true, false or the node:diagnostics_channel module',
      }),
    ])
    .optional(),
}

/** {@link StoreProtectionOptions} as the cache uses them. */
export interface ResolvedStoreProtection {
  readonly circuitBreaker: CircuitBreakerConfig | undefined
  readonly invalidationQueue: InvalidationQueueConfig | undefined
  readonly events: CacheEventListeners | undefined
  readonly diagnosticsChannel: DiagnosticsChannelModule | undefined
}

/**
 * Parses the (already schema-checked) options; a bad duration is added to `problems`.
 *
 * @example
 * ```ts
 * const problems: string[] = []
 * resolveStoreProtection({ circuitBreaker: true }, problems).circuitBreaker // { failureThreshold: 5, windowMs: 10000, openMs: 5000 }
 * ```
 */
export function resolveStoreProtection(options: StoreProtectionOptions, problems: string[]): ResolvedStoreProtection {
  let circuitBreaker: CircuitBreakerConfig | undefined
  let invalidationQueue: InvalidationQueueConfig | undefined
  try {
    circuitBreaker = resolveCircuitBreaker(options.circuitBreaker)
  } catch (error) {
    problems.push(`circuitBreaker: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'invalid duration'}`)
  }
  try {
    invalidationQueue = resolveInvalidationQueue(options.invalidationQueue)
  } catch (error) {
    problems.push(`invalidationQueue: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'invalid duration'}`)
  }
  const dc = options.diagnosticsChannel
  return {
    circuitBreaker,
    invalidationQueue,
    events: options.events,
    diagnosticsChannel: dc === true ? findDiagnosticsChannel() : dc === false ? undefined : dc,
  }
}
