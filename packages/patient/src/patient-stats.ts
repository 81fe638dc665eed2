/**
 * What `patients.stats()` returns: counters since the patient cache was created, in this process.
 * In `'json'` storage the underlying `cache.stats()` counts the same lookups again under its own
 * names; these are the patient cache's view, whatever the storage.
 */
export interface PatientCacheStats {
  /** getByCode / get lookups served from the cache. */
  readonly hits: number
  /** Lookups that found no usable entry (absent, expired, invalidated (a tombstone), corrupted, store unavailable, invalidation pending). */
  readonly misses: number
  /** hits / (hits + misses); 0 before the first lookup. */
  readonly hitRate: number
  /** Loader runs (one per single flight). */
  readonly loads: number
  /**
   * Records written to the cache (after a load, a create, or `warm()`). In `'json'` storage the
   * write after a load is the cache's (getOrSet, in the background): counted here when handed to
   * it; the ones its fence refused are in `cache.stats().fencedWrites`.
   */
  readonly warms: number
  /**
   * `'hash'` storage: writes after a load the fence refused, the record being returned but not
   * cached: the key changed since the load read it (an invalidation in any instance, or another
   * instance's load), or the load took longer than the fence TTL allows. In `'json'` storage see
   * `cache.stats().fencedWrites`.
   */
  readonly fencedWrites: number
  /** Store calls that failed or passed their deadline (absorbed: the caller got the database's answer). */
  readonly errors: number
  /** Entries that could not be decoded (partial or corrupted hash, wrong type) or held another patient's record than their key's code: each was a miss and was deleted. A tombstone (an invalidation's fence) is a plain miss, not counted here. */
  readonly decodeFailures: number
  /** Loader records that failed `PatientSchema` or had another `code_patient` than the one asked for: returned to the caller, not cached. */
  readonly invalidRecords: number
  /** Invalidations that reached the store at once. */
  readonly invalidations: number
  /** Invalidations that failed at first and wait in the cache's invalidation queue (retried until they succeed; `cache.stats()` counts what happens to them). */
  readonly invalidationsQueued: number
  /** Invalidations waiting in the cache's invalidation queue now (the cache's whole queue: other users of the cache included). */
  readonly pendingInvalidations: number
  /** Creations refused because the anti-duplicate lock was held. */
  readonly duplicateConflicts: number
  /** Creations that went ahead without the lock because the store could not be reached. */
  readonly lockUnavailable: number
  /** Searches passed to the source (never cached). */
  readonly searches: number
}

/** The mutable counters behind {@link PatientCacheStats}. */
export class PatientStatsCounters {
  hits = 0
  misses = 0
  loads = 0
  warms = 0
  fencedWrites = 0
  errors = 0
  decodeFailures = 0
  invalidRecords = 0
  invalidations = 0
  invalidationsQueued = 0
  duplicateConflicts = 0
  lockUnavailable = 0
  searches = 0

  snapshot(pendingInvalidations: number): PatientCacheStats {
    const lookups = this.hits + this.misses
    // The counters are the class's only own fields: spread, they are the snapshot.
    return { ...this, hitRate: lookups === 0 ? 0 : this.hits / lookups, pendingInvalidations }
  }
}
