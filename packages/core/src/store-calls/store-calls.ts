import type { ResolvedCacheConfig } from '../options/cache-options.js'
import type { StatsCounters } from '../observability/cache-stats.js'
import type { CacheEvents } from '../observability/cache-events.js'
import type { DriverValue } from '../driver/driver.js'
import type { KeySpec } from '../keys/define-key.js'
import { CircuitBreaker, type CircuitState } from '../resilience/circuit-breaker.js'
import { DeadlineQueue } from './deadline.js'
import { CircuitOpenError, DriverError, isCacheError, type CacheError, type CacheErrorCode } from '../errors.js'
import { inProcessGet, isInProcessDriver } from '../memory/in-process.js'
import type { CacheMetrics, CacheOperation, LabelAttributes } from '../observability/metrics.js'

/**
 * The store-call path of one cache: every call to its driver runs here, under the deadline and the
 * circuit breaker, measured, and a failure is counted, logged (without a value or a key) and
 * rethrown as a CacheError. Background calls are kept until they settle, so close() can wait.
 * It knows no key and no cache state beyond the counters it updates.
 */
export class StoreCalls {
  /** Background writes and deletes, awaited by close(). */
  readonly pending = new Set<Promise<unknown>>()
  /** One timer for the deadlines of every store call of this cache. */
  readonly deadlines: DeadlineQueue
  /** Undefined unless the `circuitBreaker` option is set. */
  readonly breaker: CircuitBreaker | undefined
  /** The driver's synchronous GET when it is an instance `memoryDriver()` created (see inProcessGet). */
  readonly getNow: ((key: string) => string | null) | undefined

  /**
   * @param stringKeyAttributes the metrics attributes of calls on string keys, which are also those of cache-wide work (the circuit's log line, the invalidation queue's)
   * @param circuitClosed called when the circuit closes again (the cache retries its queued invalidations)
   * @example
   * ```ts
   * const store = new StoreCalls(config, stats, metrics, events, stringKeyAttributes, () => queue?.kick())
   * ```
   */
  constructor(
    readonly config: ResolvedCacheConfig,
    readonly stats: StatsCounters,
    readonly metrics: CacheMetrics,
    private readonly events: CacheEvents,
    readonly stringKeyAttributes: LabelAttributes,
    private readonly circuitClosed: () => void,
  ) {
    this.deadlines = new DeadlineQueue(config.deadlineMs, isInProcessDriver(config.driver))
    this.getNow = inProcessGet(config.driver)
    const breakerConfig = config.circuitBreaker
    if (breakerConfig !== undefined) {
      const breaker = new CircuitBreaker(breakerConfig, config.clock, (state) => this.circuitChanged(state))
      this.breaker = breaker
      const codes: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 }
      metrics.observeCircuitState(config.meter, config.driver.name, () => codes[breaker.current])
    }
  }

  /**
   * Runs one store call under the deadline, measuring it. A failure is counted, logged (without
   * values or keys) and rethrown as a CacheError (DriverError or DeadlineExceededError).
   *
   * @example
   * ```ts
   * await rt.store.call('set', attributes, spec, () => driver.set(fullKey, data, { ttlMs }))
   * ```
   */
  async call<T>(operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined, start: () => Promise<T>): Promise<T> {
    const breaker = this.breaker
    if (breaker !== undefined && !breaker.allow()) {
      this.skipped(operation, attributes)
      throw new CircuitOpenError(operation)
    }
    const started = performance.now()
    let pending: Promise<T>
    try {
      pending = start()
    } catch (error) {
      pending = Promise.reject(error)
    }
    try {
      const result = await this.deadlines.run(pending, operation)
      breaker?.succeeded()
      this.metrics.latencyMs(attributes, operation, performance.now() - started)
      return result
    } catch (error) {
      throw this.failed(operation, attributes, spec, error, started)
    }
  }

  /**
   * Counts, measures and logs a failed store call; returns the error to throw (never with a value
   * in it). For the paths that run a call inline instead of through {@link call} (the hit path, SCAN).
   *
   * @example
   * ```ts
   * throw rt.store.failed('get', attributes, spec, error, started)
   * ```
   */
  failed(operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined, error: unknown, started: number): CacheError {
    this.metrics.latencyMs(attributes, operation, performance.now() - started)
    const normalized = isCacheError(error)
      ? error
      : new DriverError('DRIVER_FAILURE', `[@cachette/core] ${operation}: the '${this.config.driver.name}' driver failed`, { cause: error })
    this.stats.errors++
    if (normalized.code === 'DEADLINE_EXCEEDED') this.stats.timeouts++
    this.breaker?.failed(normalized.code)
    this.metrics.error(attributes, operation, normalized.code)
    if (this.events.active) this.events.emit('error', attributes, spec, { operation, code: normalized.code, source: 'store' })
    const errorName = error instanceof Error ? error.name : typeof error
    this.warn(`cache ${operation} failed`, operation, normalized.code, attributes, spec, errorName)
    return normalized
  }

  /** A store call was skipped because the circuit is open: counted, not logged (the opening was). */
  skipped(operation: CacheOperation, attributes: LabelAttributes): void {
    this.stats.circuitSkipped++
    this.metrics.error(attributes, operation, 'CIRCUIT_OPEN')
  }

  private circuitChanged(state: 'open' | 'closed'): void {
    if (state === 'open') {
      this.warn('the circuit breaker opened: store calls are skipped for a while', 'circuit', 'CIRCUIT_OPEN', this.stringKeyAttributes, undefined)
      if (this.events.active) this.events.emit('circuitOpened', undefined, undefined)
      return
    }
    if (this.events.active) this.events.emit('circuitClosed', undefined, undefined)
    // The store answers again: apply what failed while it did not.
    this.circuitClosed()
  }

  /** Reports a problem without a value, a key or a parameter. */
  warn(message: string, operation: string, code: CacheErrorCode, attributes: LabelAttributes, spec: KeySpec | undefined, errorName?: string): void {
    this.warnAs('@cachette/core', message, operation, code, attributes, spec, errorName)
  }

  /** {@link warn} for a package built on the kit: its name starts the message. */
  warnAs(source: string, message: string, operation: string, code: CacheErrorCode, attributes: LabelAttributes, spec: Pick<KeySpec, 'template'> | undefined, errorName?: string): void {
    try {
      this.config.logger.warn(`[${source}] ${message}`, {
        operation,
        code,
        keyPrefix: attributes.label,
        ...(spec === undefined ? {} : { template: spec.template }),
        driver: this.config.driver.name,
        ...(errorName === undefined ? {} : { errorName }),
      })
    } catch {
      // A logger that throws must not turn an absorbed failure into a failed call.
    }
  }

  /** Keeps a background promise until it settles, so close() can wait for it. It never rejects. */
  track(promise: Promise<unknown>): void {
    const settled: Promise<unknown> = promise.then(
      () => this.pending.delete(settled),
      () => this.pending.delete(settled),
    )
    this.pending.add(settled)
  }

  /**
   * Deletes an entry in the background (corrupted, or tag-invalidated); failures are only counted.
   * With the fence on, only if the key still holds what was read: a plain DEL landing after another
   * process's invalidation would remove its tombstone.
   */
  deleteInBackground(fullKey: string, raw: DriverValue, operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined): void {
    const driver = this.config.driver
    const remove = this.config.fenceMs !== undefined && typeof raw === 'string' ? () => driver.compareAndDelete(fullKey, raw) : () => driver.delete([fullKey]).then((count) => count > 0)
    this.track(this.call(operation, attributes, spec, remove).catch(() => undefined))
  }

  /** The error of a call made after close(): code CLOSED. */
  closedError(operation: string): DriverError {
    return new DriverError('CLOSED', `[@cachette/core] ${operation}: the cache is closed`)
  }
}
