/**
 * What `exports.stats()` returns: the FHIR export cache's own counters since it was created, in
 * this process. `cache.stats()` counts the same lookups among every other use of the cache, per
 * store read rather than per request: do not add the two.
 *
 * @example
 * ```ts
 * const { hitRate, builds } = exports.stats()
 * ```
 */
export interface FhirExportStats {
  /** `getExport` calls that resolved an export. */
  readonly requests: number
  /** Of those, the exports served from the store. */
  readonly hits: number
  /** Of those, the exports built for the request (a miss, an unreachable store, a disabled cache), or shared with a build another request started. */
  readonly misses: number
  /** hits / (hits + misses), 0 before the first request: the seed's `cache.hit_rate`, as a fraction. */
  readonly hitRate: number
  /**
   * Builds that returned an export (one per key however many requests waited on it; background
   * refreshes that found the source changed included). Each run of a build is counted once, in
   * `builds`, `buildErrors` or `renewals`.
   */
  readonly builds: number
  /**
   * Builds that threw, or answered "not modified" with nothing cached: never cached; the requests
   * waiting on the build rejected (a background refresh's failure reaches no request: the cached
   * export was served and expires as before).
   */
  readonly buildErrors: number
  /** Background refreshes answered "not modified": the entry's TTL was renewed, nothing rebuilt or rewritten. */
  readonly renewals: number
  /** Invalidation rules run (`movementChanged`, `structureChanged`, `fhirImported`). */
  readonly invalidations: number
  /** Entries those rules deleted. */
  readonly keysInvalidated: number
  /** Invalidation rules that could not reach the store (their patterns wait in the cache's invalidation queue when it has one). */
  readonly invalidationFailures: number
}

/** The mutable counters behind {@link FhirExportStats}. */
export class ExportCounters {
  hits = 0
  misses = 0
  builds = 0
  buildErrors = 0
  renewals = 0
  invalidations = 0
  keysInvalidated = 0
  invalidationFailures = 0

  /**
   * A frozen copy, with the hit rate.
   *
   * @example
   * ```ts
   * counters.snapshot().hitRate
   * ```
   */
  snapshot(): FhirExportStats {
    const requests = this.hits + this.misses
    return Object.freeze({
      requests,
      hits: this.hits,
      misses: this.misses,
      hitRate: requests === 0 ? 0 : this.hits / requests,
      builds: this.builds,
      buildErrors: this.buildErrors,
      renewals: this.renewals,
      invalidations: this.invalidations,
      keysInvalidated: this.keysInvalidated,
      invalidationFailures: this.invalidationFailures,
    })
  }
}
