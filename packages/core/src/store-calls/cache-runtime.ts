import type { ResolvedCacheConfig } from '../options/cache-options.js'
import { StatsCounters } from '../observability/cache-stats.js'
import type { Observed } from '../operations/observed.js'
import { CacheEvents } from '../observability/cache-events.js'
import type { KeySpec } from '../keys/define-key.js'
import { KeyResolver } from '../keys/key-resolver.js'
import { RetryBackoff } from '../resilience/grace.js'
import type { InvalidationQueue } from '../resilience/invalidation-queue.js'
import { CacheMetrics, type LabelAttributes } from '../observability/metrics.js'
import { SharedValues } from '../encoding/shared-values.js'
import { TagTokens } from '../operations/tag-tokens.js'
import { StoreCalls } from './store-calls.js'
import type { L1Tier } from '../tiers/l1-tier.js'
import type { InvalidationBus } from '../tiers/invalidation-bus.js'
import type { TrackingSubscription } from '../tiers/tracking-subscription.js'

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

/**
 * One cache's state (counters, flights, loads, back-off, shared values, the invalidation queue,
 * whether it is closed), with its two helpers: `keys` resolves what a key means, `store` runs
 * the calls to the driver. The operation files take it as their first argument.
 */
export class CacheRuntime {
  readonly stats = new StatsCounters()
  readonly metrics: CacheMetrics
  /** Events and diagnostics_channel; `events.active` is false while nobody listens. */
  readonly events: CacheEvents
  /** getOrSet flights in progress, by full key. */
  readonly flights = new Map<string, Flight>()
  /** Loader runs in progress (including background refreshes), by full key. */
  readonly loads = new Map<string, Load>()
  /** Per-key back-off after a loader failure served stale. */
  readonly backoff = new RetryBackoff()
  /** Decoded values shared between hits (`shareValues`), or undefined. */
  readonly shared: SharedValues | undefined
  /** Store keys, definitions, attributes, codecs, TTLs, tags and load policies of keys. */
  readonly keys: KeyResolver
  /** The store-call path: deadline, breaker, measures, error mapping, logs, background work. */
  readonly store: StoreCalls
  /** The version tokens of tags, read by every read of a tagged entry and written by writes and invalidateTags. */
  readonly tagTokens: TagTokens
  /** Failed invalidations waiting for the store; set by createCache (the queue applies them through the operations). */
  /** `revalidate`: when each key's store TTL may be read again (the cache's clock, epoch ms), by full key. */
  readonly revalidationChecks = new Map<string, number>()
  queue: InvalidationQueue | undefined
  /** The memory tier (`l1` option), set by createCache. */
  l1: L1Tier | undefined
  /** The invalidation bus of the memory tier, unless `l1: { bus: false }`. */
  bus: InvalidationBus | undefined
  /** Client-side caching's tracking (`l1: { tracking }`), in place of the bus. */
  tracking: TrackingSubscription | undefined
  closed = false

  constructor(readonly config: ResolvedCacheConfig) {
    this.metrics = new CacheMetrics(config.meter, config.l1 !== undefined)
    this.events = new CacheEvents(config.driver.name, config.events, config.diagnosticsChannel)
    const stringKeyAttributes = this.metrics.attributesFor(config.prefix === '' ? '(none)' : config.prefix)
    this.store = new StoreCalls(config, this.stats, this.metrics, this.events, stringKeyAttributes, () => this.queue?.kick())
    this.keys = new KeyResolver(config, this.metrics, this.store)
    this.tagTokens = new TagTokens(this.store)
    this.shared = config.shareValues === undefined ? undefined : new SharedValues(config.shareValues.maxEntries)
  }

  /** Counts a hit: stats, `cache_hits_total`, and the event (built only when someone listens). */
  recordHit(attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
    this.stats.hits++
    this.metrics.hit(attributes)
    if (this.events.active) this.events.emit('hit', attributes, spec, this.l1 === undefined ? { operation } : { operation, tier: 'store' })
  }

  /** Counts a hit the memory tier answered (`tier: 'l1'`). */
  recordL1Hit(attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
    this.stats.hits++
    this.stats.l1Hits++
    this.metrics.hitL1(attributes)
    if (this.events.active) this.events.emit('hit', attributes, spec, { operation, tier: 'l1' })
  }

  /** Counts a miss: stats, `cache_misses_total`, and the event (built only when someone listens). */
  recordMiss(attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
    this.stats.misses++
    this.metrics.miss(attributes)
    if (this.events.active) this.events.emit('miss', attributes, spec, this.l1 === undefined ? { operation } : { operation, tier: 'store' })
  }
}
