/**
 * What `cache.stats()` returns: counters since the cache was created, for this process.
 *
 * @example
 * ```ts
 * const { hitRate, errors } = cache.stats()
 * ```
 */
export interface CacheStats {
  /** Lookups (get, getOrSet's read) that found a usable entry. */
  readonly hits: number
  /** Lookups that found nothing usable: absent, expired, tag-invalidated, corrupted, store failed, or the cache disabled. */
  readonly misses: number
  /** hits / (hits + misses), 0 before the first lookup. */
  readonly hitRate: number
  /** Entries written. */
  readonly sets: number
  /** Entries deleted by invalidate() and deletePattern() (those that existed). */
  readonly deletes: number
  /** Store calls that failed, timeouts included. */
  readonly errors: number
  /** Store calls that passed their deadline (also counted in `errors`). */
  readonly timeouts: number
  /** Entries that could not be decoded or failed their schema (each was a miss and was deleted). */
  readonly decodeFailures: number
  /** Entries read as a miss because one of their tags was invalidated since they were written. */
  readonly tagMisses: number
  /** Loader runs (one per single flight, or per call when the cache is disabled). */
  readonly loaderCalls: number
  /** Loader runs that threw (never cached). */
  readonly loaderErrors: number
  /** TTLs above `maxTtl` that were clamped. */
  readonly ttlClamped: number
  /** getOrSet flights in progress now. */
  readonly inFlight: number
}

/** The mutable counters behind {@link CacheStats}. */
export class StatsCounters {
  hits = 0
  misses = 0
  sets = 0
  deletes = 0
  errors = 0
  timeouts = 0
  decodeFailures = 0
  tagMisses = 0
  loaderCalls = 0
  loaderErrors = 0
  ttlClamped = 0

  snapshot(inFlight: number): CacheStats {
    const lookups = this.hits + this.misses
    return {
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      sets: this.sets,
      deletes: this.deletes,
      errors: this.errors,
      timeouts: this.timeouts,
      decodeFailures: this.decodeFailures,
      tagMisses: this.tagMisses,
      loaderCalls: this.loaderCalls,
      loaderErrors: this.loaderErrors,
      ttlClamped: this.ttlClamped,
      inFlight,
    }
  }
}
