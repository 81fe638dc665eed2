import type { ResolvedCacheConfig } from '../options/cache-options.js'
import { StatsCounters } from '../observability/cache-stats.js'
import type { Codec } from '../encoding/codec.js'
import type { DriverValue } from '../driver/driver.js'
import type { Observed } from '../operations/observed.js'
import { CacheEvents } from '../observability/cache-events.js'
import { CircuitBreaker, type CircuitState } from '../resilience/circuit-breaker.js'
import { DeadlineQueue } from './deadline.js'
import { KEY_SPEC, type Key, type KeySpec } from '../keys/define-key.js'
import { CircuitOpenError, DriverError, InvalidKeyError, InvalidOptionsError, isCacheError, type CacheError, type CacheErrorCode } from '../errors.js'
import { RetryBackoff } from '../resilience/grace.js'
import type { InvalidationQueue } from '../resilience/invalidation-queue.js'
import { isInProcessDriver } from '../memory/in-process.js'
import { CacheMetrics, type CacheOperation, type LabelAttributes } from '../observability/metrics.js'
import { hasResilienceOptions, mergeLoadPolicy, type LoadPolicy, type ResilienceOptions } from '../options/resilience-options.js'
import { SharedValues } from '../encoding/shared-values.js'
import { applyJitter, type ParsedTtl } from '../options/ttl.js'

/** What a read returns when there is no usable entry (a symbol, so `null` stays a cacheable value). */
export const MISS: unique symbol = Symbol('cachette.miss')

/** A getOrSet in progress for one full key. */
export interface Flight {
  readonly promise: Promise<unknown>
  /** Set by invalidate()/deletePattern() while the loader runs: its result must not be stored. */
  skipWrite: boolean
  /** What the flight's read found at the key (the fence compares against it before writing). */
  observed: Observed
}

/**
 * A loader run for one full key, which may outlive the flight that started it (a caller served
 * stale after a soft timeout, a background refresh): later flights join it instead of calling
 * the loader again.
 */
export interface Load {
  /** The loader's value (after the lock wait: possibly another process's value); rejects with the loader's error. */
  readonly promise: Promise<unknown>
  /** The write of the value, once started. */
  stored: Promise<boolean> | undefined
  /** Set by an invalidation while the loader runs: its result must not be stored. */
  skipWrite: boolean
  /** performance.now() when it started. */
  readonly startedAt: number
}

// Tags become parts of store key names: the same characters as key parameters are refused, but ':' is allowed.
const UNSAFE_TAG = /[*?[\]\\{}\s\p{Cc}\p{Cs}]/u

/** Shared state and helpers of one cache; the operation files take it as their first argument. */
export class CacheRuntime {
  readonly stats = new StatsCounters()
  readonly metrics: CacheMetrics
  readonly flights = new Map<string, Flight>()
  /** Background writes and deletes, awaited by close(). */
  readonly pending = new Set<Promise<unknown>>()
  readonly stringKeyAttributes: LabelAttributes
  /** One timer for the deadlines of every store call of this cache. */
  readonly deadlines: DeadlineQueue
  /** Loader runs in progress (including background refreshes), by full key. */
  readonly loads = new Map<string, Load>()
  /** Per-key back-off after a loader failure served stale. */
  readonly backoff = new RetryBackoff()
  /** Decoded values shared between hits (`shareValues`), or undefined. */
  readonly shared: SharedValues | undefined
  /** Events and diagnostics_channel; `events.active` is false while nobody listens. */
  readonly events: CacheEvents
  /** Undefined unless the `circuitBreaker` option is set. */
  readonly breaker: CircuitBreaker | undefined
  /** Failed invalidations waiting for the store; set by createCache (it owns the tag tokens). */
  queue: InvalidationQueue | undefined
  closed = false
  private readonly specAttributes = new WeakMap<KeySpec, LabelAttributes>()
  private readonly specPolicies = new WeakMap<KeySpec, LoadPolicy>()

  constructor(readonly config: ResolvedCacheConfig) {
    this.metrics = new CacheMetrics(config.meter)
    this.deadlines = new DeadlineQueue(config.deadlineMs, isInProcessDriver(config.driver))
    this.shared = config.shareValues === undefined ? undefined : new SharedValues(config.shareValues.maxEntries)
    this.stringKeyAttributes = this.metrics.attributesFor(config.prefix === '' ? '(none)' : config.prefix)
    this.events = new CacheEvents(config.driver.name, config.events, config.diagnosticsChannel)
    const breakerConfig = config.circuitBreaker
    if (breakerConfig !== undefined) {
      const breaker = new CircuitBreaker(breakerConfig, config.clock, (state) => this.circuitChanged(state))
      this.breaker = breaker
      const codes: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 }
      this.metrics.observeCircuitState(config.meter, config.driver.name, () => codes[breaker.current])
    }
  }

  /** The load policy of a key family: the cache's, with the key definition's options merged once. */
  policyOf(spec: KeySpec | undefined): LoadPolicy {
    if (spec?.resilience === undefined) return this.config.loadPolicy
    let policy = this.specPolicies.get(spec)
    if (policy === undefined) {
      policy = mergeLoadPolicy(this.config.loadPolicy, spec.resilience, `defineKey('${spec.template}') options`, true)
      this.specPolicies.set(spec, policy)
    }
    return policy
  }

  /** The load policy of one call: the key's, with the call's options merged (validated) when it sets any. */
  loadPolicy(spec: KeySpec | undefined, options: ResilienceOptions | undefined): LoadPolicy {
    const base = this.policyOf(spec)
    if (options === undefined || !hasResilienceOptions(options)) return base
    return mergeLoadPolicy(base, options, 'call options')
  }

  /** Counts a hit: stats, `cache_hits_total`, and the event (built only when someone listens). */
  recordHit(attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
    this.stats.hits++
    this.metrics.hit(attributes)
    if (this.events.active) this.events.emit('hit', attributes, spec, { operation })
  }

  /** Counts a miss: stats, `cache_misses_total`, and the event (built only when someone listens). */
  recordMiss(attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
    this.stats.misses++
    this.metrics.miss(attributes)
    if (this.events.active) this.events.emit('miss', attributes, spec, { operation })
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
    this.queue?.kick()
  }

  /** The store key: cache prefix + the key. */
  fullKey(key: Key<unknown> | string): string {
    return this.config.keyPrefix + (typeof key === 'string' ? key : key.key)
  }

  specOf(key: Key<unknown> | string): KeySpec | undefined {
    if (typeof key === 'string') return undefined
    const spec = (key as Key<unknown> | undefined)?.[KEY_SPEC]
    if (spec === undefined) throw new InvalidKeyError('[@cachette/core] expected a key built by a key definition, or a string')
    return spec
  }

  /** Metrics attributes of a key family, built once per definition. */
  attributesOf(spec: KeySpec | undefined): LabelAttributes {
    if (spec === undefined) return this.stringKeyAttributes
    let attributes = this.specAttributes.get(spec)
    if (attributes === undefined) {
      const label = [this.config.prefix, spec.label].filter((part) => part !== '').join(':') || '(none)'
      attributes = this.metrics.attributesFor(label)
      this.specAttributes.set(spec, attributes)
    }
    return attributes
  }

  codecOf(spec: KeySpec | undefined): Codec<any> {
    return spec?.codec ?? this.config.codec
  }

  /**
   * The TTL of a write: the call's, else the key's, else the default; clamped to maxTtl (counted),
   * then jittered (which only shortens it).
   */
  ttlMs(spec: KeySpec | undefined, callTtl: ParsedTtl | undefined, operation: string, attributes: LabelAttributes): number {
    let ms = this.resolveTtl(callTtl) ?? this.resolveTtl(spec?.ttl) ?? this.config.defaultTtlMs
    if (ms > this.config.maxTtlMs) {
      this.stats.ttlClamped++
      this.warn('a TTL above maxTtl was clamped to maxTtl', operation, 'INVALID_DURATION', attributes, spec)
      ms = this.config.maxTtlMs
    }
    return applyJitter(ms, this.config.jitter)
  }

  private resolveTtl(ttl: ParsedTtl | undefined): number | undefined {
    if (ttl === undefined) return undefined
    if (ttl.ms !== undefined) return ttl.ms
    const ms = this.config.policiesMs.get(ttl.policy)
    if (ms === undefined) {
      throw new InvalidOptionsError(`[@cachette/core] unknown TTL policy '${ttl.policy}': add it to createCache({ ttls }) or use a duration`)
    }
    return ms
  }

  /** The tags of a write: the key definition's and the call's, checked, without duplicates. */
  tagsOf(key: Key<unknown> | string, spec: KeySpec | undefined, callTags: readonly string[] | undefined): readonly string[] {
    const fromKey = spec?.tags === undefined || typeof key === 'string' ? undefined : spec.tags(key.params ?? {})
    if (fromKey === undefined && (callTags === undefined || callTags.length === 0)) return []
    const tags = new Set<string>()
    for (const list of [fromKey, callTags]) {
      if (list === undefined) continue
      if (!Array.isArray(list)) throw new InvalidOptionsError('[@cachette/core] tags must be an array of strings')
      for (const tag of list) tags.add(this.checkTag(tag, spec))
    }
    return [...tags]
  }

  checkTag(tag: unknown, spec: KeySpec | undefined): string {
    const where = spec === undefined ? '' : ` (key '${spec.template}')`
    if (typeof tag !== 'string' || tag.length === 0) throw new InvalidKeyError(`[@cachette/core] a tag${where} must be a non-empty string`)
    if (UNSAFE_TAG.test(tag)) {
      throw new InvalidKeyError(`[@cachette/core] a tag${where} holds a character tags may not contain (a glob character * ? [ ] \\, a brace, whitespace or a control character)`)
    }
    return tag
  }

  /**
   * Runs one store call under the deadline, measuring it. A failure is counted, logged (without
   * values or keys) and rethrown as a CacheError (DriverError or DeadlineExceededError).
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

  /** Counts, measures and logs a failed store call; returns the error to throw (never with a value in it). */
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

  closedError(operation: string): DriverError {
    return new DriverError('CLOSED', `[@cachette/core] ${operation}: the cache is closed`)
  }
}
