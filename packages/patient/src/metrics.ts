/** Attributes of one measurement (string labels only). */
export type MetricAttributes = Readonly<Record<string, string>>

/** The part of an OpenTelemetry counter this package uses. */
export interface PatientCounter {
  /**
   * Adds `value` to the series of `attributes`.
   *
   * @example
   * ```ts
   * hits.add(1, { key_prefix: 'patient' }) // printed as cache_hits_total{key_prefix="patient"}
   * ```
   */
  add(value: number, attributes?: MetricAttributes): void
}

/** The part of an OpenTelemetry histogram this package uses. */
export interface PatientHistogram {
  /**
   * Records one observation in the series of `attributes`.
   *
   * @example
   * ```ts
   * latency.record(0.0012, { operation: 'get', key_prefix: 'patient' }) // seconds
   * ```
   */
  record(value: number, attributes?: MetricAttributes): void
}

/**
 * The part of an OpenTelemetry `Meter` this package uses: an `@opentelemetry/api` Meter fits.
 * Typed structurally so that `@cachette/patient` does not depend on `@opentelemetry/api`.
 */
export interface PatientMeter {
  /**
   * A monotonic counter; the Prometheus exporter adds `_total` to its name.
   *
   * @example
   * ```ts
   * const meter = metrics.getMeter('patient-api') // import { metrics } from '@opentelemetry/api'
   * createPatientCache({ cache, driver, etablissement, meter }) // creates cache_hits, cache_misses, cache_errors
   * ```
   */
  createCounter(name: string, options?: { description?: string; unit?: string }): PatientCounter
  /**
   * A histogram; the patient cache passes its latency buckets as `advice`.
   *
   * @example
   * ```ts
   * meter.createHistogram('cache_latency_seconds', { unit: 's', advice: { explicitBucketBoundaries: [0.001, 0.01, 0.1] } })
   * ```
   */
  createHistogram(name: string, options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } }): PatientHistogram
}

/** The operations HASH-mode storage measures, with core's label values. */
export type PatientStoreOperation = 'get' | 'set' | 'invalidate'

// The same names, descriptions and buckets as @cachette/core's instruments: given the same Meter,
// the OpenTelemetry SDK merges them into one instrument, so Prometheus shows one cache_hits_total
// family whose key_prefix tells the patient HASH entries apart.
const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/** HASH-mode metrics; every attribute object is built once (nothing allocated on a hit). */
export class PatientMetrics {
  private readonly hits: PatientCounter | undefined
  private readonly misses: PatientCounter | undefined
  private readonly latency: PatientHistogram | undefined
  private readonly errors: PatientCounter | undefined
  private readonly prefix: MetricAttributes
  private readonly operations: Readonly<Record<PatientStoreOperation, MetricAttributes>>

  constructor(
    meter: PatientMeter | undefined,
    private readonly label: string,
  ) {
    this.prefix = Object.freeze({ key_prefix: label })
    this.operations = Object.freeze({
      get: Object.freeze({ operation: 'get', key_prefix: label }),
      set: Object.freeze({ operation: 'set', key_prefix: label }),
      invalidate: Object.freeze({ operation: 'invalidate', key_prefix: label }),
    })
    if (meter === undefined) return
    this.hits = meter.createCounter('cache_hits', { description: 'Cache lookups that found a usable entry' })
    this.misses = meter.createCounter('cache_misses', {
      description: 'Cache lookups that found no usable entry (absent, expired, invalidated, corrupted or store unavailable)',
    })
    this.latency = meter.createHistogram('cache_latency_seconds', {
      description: 'Duration of cache operations against the store',
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    })
    this.errors = meter.createCounter('cache_errors', { description: 'Store failures, deadline overruns and corrupted entries the cache absorbed or reported' })
  }

  hit(): void {
    this.hits?.add(1, this.prefix)
  }

  miss(): void {
    this.misses?.add(1, this.prefix)
  }

  /** Records a duration measured with `performance.now()` (milliseconds). */
  latencyMs(operation: PatientStoreOperation, elapsedMs: number): void {
    this.latency?.record(elapsedMs / 1_000, this.operations[operation])
  }

  error(operation: PatientStoreOperation, code: string): void {
    this.errors?.add(1, { operation, key_prefix: this.label, error_code: code })
  }
}
