import { createNoopMeter, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api'

/** Operations that appear in the `operation` label of `cache_latency_seconds` and `cache_errors_total`. */
export type CacheOperation = 'get' | 'set' | 'has' | 'invalidate' | 'deletePattern' | 'invalidateTags' | 'health' | 'lock' | 'bus'

const OPERATIONS: readonly CacheOperation[] = ['get', 'set', 'has', 'invalidate', 'deletePattern', 'invalidateTags', 'health', 'lock', 'bus']

/** Bucket bounds in seconds: a local Redis answers in well under a millisecond, a REST store in tens. */
const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/** The attribute objects of one key label, built once and reused on every call (no allocation on a hit). */
export interface LabelAttributes {
  readonly label: string
  readonly prefix: Attributes
  /** `{ key_prefix, tier: 'l1' }`: hits the memory tier of a two-tier cache answered. */
  readonly l1: Attributes
  readonly operations: Readonly<Record<CacheOperation, Attributes>>
}

/**
 * The cache's instruments, created once per cache. Names follow what the Prometheus exporter
 * turns them into: the counter `cache_hits` is exposed as `cache_hits_total` (the exporter adds
 * `_total` to monotonic sums), the histogram `cache_latency_seconds` keeps its name (unit `s`
 * adds no suffix in @opentelemetry/exporter-prometheus 0.2xx) and gets `_bucket/_sum/_count`.
 */
export class CacheMetrics {
  private readonly hits: Counter
  private readonly misses: Counter
  private readonly latency: Histogram
  private readonly errors: Counter
  private readonly staleHits: Counter
  private readonly queuedInvalidations: Counter
  private readonly labels = new Map<string, LabelAttributes>()
  /**
   * False when durations go nowhere: the meter is OpenTelemetry's no-op one (no SDK was registered
   * when the cache was created, and a meter taken then stays a no-op). The hit path then reads no
   * clock for `cache_latency_seconds`.
   */
  readonly timed: boolean

  /** @param tiered the cache has a memory tier (`l1`): hits and misses get a `tier` attribute. */
  constructor(
    meter: Meter,
    private readonly tiered = false,
  ) {
    this.hits = meter.createCounter('cache_hits', { description: 'Cache lookups that found a usable entry' })
    this.misses = meter.createCounter('cache_misses', { description: 'Cache lookups that found no usable entry (absent, expired, invalidated, corrupted or store unavailable)' })
    this.latency = meter.createHistogram('cache_latency_seconds', {
      description: 'Duration of cache operations against the store',
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    })
    this.timed = this.latency !== createNoopMeter().createHistogram('cache_latency_seconds')
    this.errors = meter.createCounter('cache_errors', { description: 'Store failures, deadline overruns and corrupted entries the cache absorbed or reported' })
    this.staleHits = meter.createCounter('cache_stale_hits', { description: 'getOrSet answers served from a stale entry (grace) because the loader failed, timed out or revalidates' })
    this.queuedInvalidations = meter.createCounter('cache_invalidations_queued', {
      description: 'Invalidations that failed on an unreachable store and were queued for retry',
    })
  }

  staleHit(attributes: LabelAttributes): void {
    this.staleHits.add(1, attributes.prefix)
  }

  invalidationQueued(operation: CacheOperation): void {
    this.queuedInvalidations.add(1, { operation })
  }

  /**
   * `cache_circuit_state{driver}`: 0 closed, 1 half-open, 2 open. Registered only for caches
   * with a circuit breaker, and only when the meter can observe gauges.
   */
  observeCircuitState(meter: Meter, driver: string, read: () => number): void {
    if (typeof meter.createObservableGauge !== 'function') return
    const gauge = meter.createObservableGauge('cache_circuit_state', { description: 'Circuit breaker state of the cache store: 0 closed, 1 half-open, 2 open' })
    const attributes = Object.freeze({ driver })
    gauge.addCallback((result) => result.observe(read(), attributes))
  }

  /** The reusable attributes of a label; labels are bounded (key templates), so this map is too. */
  attributesFor(label: string): LabelAttributes {
    let attributes = this.labels.get(label)
    if (attributes === undefined) {
      const operations = {} as Record<CacheOperation, Attributes>
      for (const operation of OPERATIONS) operations[operation] = Object.freeze({ operation, key_prefix: label })
      // With a memory tier, every hit and miss says which tier answered (`tier`); without, the labels stay as they were.
      const prefix = this.tiered ? Object.freeze({ key_prefix: label, tier: 'store' }) : Object.freeze({ key_prefix: label })
      attributes = { label, prefix, l1: Object.freeze({ key_prefix: label, tier: 'l1' }), operations }
      this.labels.set(label, attributes)
    }
    return attributes
  }

  hit(attributes: LabelAttributes): void {
    this.hits.add(1, attributes.prefix)
  }

  hitL1(attributes: LabelAttributes): void {
    this.hits.add(1, attributes.l1)
  }

  miss(attributes: LabelAttributes): void {
    this.misses.add(1, attributes.prefix)
  }

  /** Records a duration measured with `performance.now()` (milliseconds). */
  latencyMs(attributes: LabelAttributes, operation: CacheOperation, elapsedMs: number): void {
    this.latency.record(elapsedMs / 1_000, attributes.operations[operation])
  }

  error(attributes: LabelAttributes, operation: CacheOperation, code: string): void {
    this.errors.add(1, { operation, key_prefix: attributes.label, error_code: code })
  }
}
