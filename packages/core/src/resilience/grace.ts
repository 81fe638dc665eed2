/**
 * Stale-if-error grace. An entry written with a grace period is stored for TTL + grace and
 * records `f` (fresh until, epoch ms) in its envelope, and `d` (the loader's duration, ms) for
 * early refresh. Until `f` it is an ordinary hit; from `f` to its store expiry it is stale:
 * getOrSet refreshes it, and serves it (marked stale) only when the loader fails or times out.
 */

/**
 * What a read returns for an entry that carries freshness metadata; plain entries come back as
 * their bare value, so an entry written without grace or early refresh allocates nothing.
 */
export class TimedEntry {
  constructor(
    readonly value: unknown,
    /** Epoch ms (the cache's clock) from which the entry is stale. */
    readonly freshUntil: number,
    /** How long the loader that produced it took, in ms (0 when unknown, e.g. written by set()). */
    readonly loadMs: number,
  ) {}
}

/** Keys remembered at most by a back-off table; the oldest are forgotten first. */
const MAX_BACKOFF_KEYS = 10_000

/**
 * Per key: the time before which the loader must not be called again because it just failed
 * while a stale value could be served. Counted from the failure ("from now"), so a source that
 * keeps failing is called at most once per back-off per key and process.
 */
export class RetryBackoff {
  private readonly until = new Map<string, number>()

  /** True while `fullKey` is backing off at `now`. */
  active(fullKey: string, now: number): boolean {
    if (this.until.size === 0) return false
    const until = this.until.get(fullKey)
    if (until === undefined) return false
    if (now < until) return true
    this.until.delete(fullKey)
    return false
  }

  /** The loader failed at `now`: back off for `backoffMs`. */
  failed(fullKey: string, now: number, backoffMs: number): void {
    if (backoffMs <= 0) return
    this.until.delete(fullKey)
    if (this.until.size >= MAX_BACKOFF_KEYS) {
      // Map iteration follows insertion order, so the first key is the oldest back-off.
      const oldest = this.until.keys().next().value
      if (oldest !== undefined) this.until.delete(oldest)
    }
    this.until.set(fullKey, now + backoffMs)
  }

  /** The loader answered: no back-off any more. */
  succeeded(fullKey: string): void {
    if (this.until.size !== 0) this.until.delete(fullKey)
  }

  /** Forgets a key (invalidated: its stale value is gone). */
  forget(fullKey: string): void {
    if (this.until.size !== 0) this.until.delete(fullKey)
  }
}

/**
 * The physical (store) TTL and the freshness of an entry written now.
 *
 * @example
 * ```ts
 * timedTtl(300_000, 3_600_000, 2_592_000_000, Date.now()) // { storeTtlMs: 3_900_000, freshUntil: now + 300_000 }
 * ```
 */
export function timedTtl(ttlMs: number, graceMs: number, maxTtlMs: number, now: number): { storeTtlMs: number; freshUntil: number } {
  // maxTtl caps what stays in the store, grace included: a cache is never long-term storage.
  return { storeTtlMs: Math.min(ttlMs + graceMs, Math.max(ttlMs, maxTtlMs)), freshUntil: now + ttlMs }
}
