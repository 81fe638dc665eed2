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
  /**
   * getOrSet writes the fence refused: the key changed since the load read it (an invalidation, in
   * any process, or another load's write), or the load outlived the fence TTL. The callers got the
   * loaded value; it was not cached.
   */
  readonly fencedWrites: number
  /** Loader runs (one per single flight, or per call when the cache is disabled). */
  readonly loaderCalls: number
  /** Loader runs that threw (never cached). */
  readonly loaderErrors: number
  /** TTLs above `maxTtl` that were clamped. */
  readonly ttlClamped: number
  /** getOrSet flights in progress now. */
  readonly inFlight: number
  /** getOrSet answers served from a stale entry (grace), because the loader failed, timed out, was backing off, or revalidates in the background. */
  readonly staleHits: number
  /** Background refreshes started by early refresh (XFetch), stale-while-revalidate or revalidate. */
  readonly refreshes: number
  /** Revalidations answered `ctx.notModified()`: the entry's TTL renewed, nothing rebuilt or rewritten. */
  readonly revalidations: number
  /** Waits for a loader that passed its soft or hard timeout. */
  readonly loaderTimeouts: number
  /** Misses that waited for another process holding the distributed lock. */
  readonly lockWaits: number
  /** Of those, the waits that picked up the value the holder stored (no loader run here). */
  readonly lockWaitHits: number
  /** Store calls skipped because the circuit breaker was open (not counted in `errors`). */
  readonly circuitSkipped: number
  /** Invalidations (keys, patterns, tags) queued because the store failed. */
  readonly invalidationsQueued: number
  /** Queued invalidations applied later. */
  readonly invalidationsApplied: number
  /** Invalidations that could not be queued (queue full, or left at close) — each one also reported to the caller or the logger. */
  readonly invalidationsDropped: number
  /** Invalidations waiting in the queue now. */
  readonly invalidationsPending: number
  /** Entries written compressed (`compression`): payloads at or above the threshold that got smaller. */
  readonly compressedWrites: number
  /** Bytes those writes saved: payload bytes minus the compressed bytes stored (base64 text counted as stored). */
  readonly compressionSavedBytes: number
  /** The memory tier of a two-tier cache (`l1` option); absent without one. */
  readonly l1?: L1Stats
  /** Encrypted entries that could not be opened (a key this cache lacks, another store key, a changed byte): each read as a miss. */
  readonly decryptFailures: number
  /** Entries sealed under an old key and rewritten under the current one (on read, or by `reencrypt()`). */
  readonly reencrypted: number
}

/** What `stats().l1` reports of the memory tier and its invalidation bus. */
export interface L1Stats {
  /** Lookups the memory tier answered (also counted in `hits`). */
  readonly hits: number
  /** Lookups it could not answer, which went to the store (counted in `hits` or `misses` by the store's answer). */
  readonly misses: number
  /** Answers served from it as stale because the store could not be reached (grace; also in `staleHits`). */
  readonly staleHits: number
  /** Entries held now. */
  readonly entries: number
  /** Payload bytes held now. */
  readonly bytes: number
  /** Entries evicted by `maxEntries` or `maxBytes`. */
  readonly evictions: number
  /** Whether it serves hits now: the bus is connected (always true with `bus: false`). */
  readonly serving: boolean
  /** Bus messages published by this process. */
  readonly busPublished: number
  /** Bus messages received from other processes. */
  readonly busReceived: number
  /** Publishes that failed (their keys, tags and patterns were kept and published again later). */
  readonly busPublishFailures: number
  /** Keys, tags and patterns waiting to be published again. */
  readonly busPending: number
  /** Keys Redis reported as changed to this process (`l1: { tracking }`), flushes counted once each. */
  readonly trackingReports: number
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
  fencedWrites = 0
  loaderCalls = 0
  loaderErrors = 0
  ttlClamped = 0
  staleHits = 0
  refreshes = 0
  revalidations = 0
  loaderTimeouts = 0
  lockWaits = 0
  lockWaitHits = 0
  circuitSkipped = 0
  invalidationsQueued = 0
  invalidationsApplied = 0
  invalidationsDropped = 0
  compressedWrites = 0
  compressionSavedBytes = 0
  l1Hits = 0
  l1Misses = 0
  l1StaleHits = 0
  decryptFailures = 0
  reencrypted = 0

  snapshot(inFlight: number, invalidationsPending = 0, l1?: Omit<L1Stats, 'hits' | 'misses' | 'staleHits'>): CacheStats {
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
      fencedWrites: this.fencedWrites,
      loaderCalls: this.loaderCalls,
      loaderErrors: this.loaderErrors,
      ttlClamped: this.ttlClamped,
      inFlight,
      staleHits: this.staleHits,
      refreshes: this.refreshes,
      revalidations: this.revalidations,
      loaderTimeouts: this.loaderTimeouts,
      lockWaits: this.lockWaits,
      lockWaitHits: this.lockWaitHits,
      circuitSkipped: this.circuitSkipped,
      invalidationsQueued: this.invalidationsQueued,
      invalidationsApplied: this.invalidationsApplied,
      invalidationsDropped: this.invalidationsDropped,
      invalidationsPending,
      compressedWrites: this.compressedWrites,
      compressionSavedBytes: this.compressionSavedBytes,
      decryptFailures: this.decryptFailures,
      reencrypted: this.reencrypted,
      ...(l1 === undefined ? {} : { l1: { hits: this.l1Hits, misses: this.l1Misses, staleHits: this.l1StaleHits, ...l1 } }),
    }
  }
}
