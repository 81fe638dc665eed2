/**
 * Probabilistic early expiration ("XFetch", Vattani, Chierichetti and Lowenstein, "Optimal
 * Probabilistic Cache Stampede Prevention", VLDB 2015): each reader of a fresh entry decides on
 * its own to refresh it when
 *
 *     now - loadMs × beta × ln(random()) >= freshUntil
 *
 * `-ln(random())` is exponentially distributed (mean 1), so the chance grows smoothly as the end
 * of the TTL nears, and sooner for entries whose loader is slow (they need more head start).
 * With many readers, one of them almost surely refreshes shortly before expiry, and the others
 * keep hitting; with few readers nothing is refreshed needlessly early.
 */

/** A loader duration below this still gets some head start: a 0 ms measurement would disable XFetch. */
const MIN_LOAD_MS = 1

/**
 * Whether this read should refresh the entry early.
 *
 * @param nowMs the cache clock now, epoch ms
 * @param freshUntilMs when the entry stops being fresh, epoch ms
 * @param loadMs how long its loader took
 * @param beta above 1 refreshes earlier, below 1 later; 0 never
 * @param random a uniform number in [0, 1)
 * @example
 * ```ts
 * shouldRefreshEarly(Date.now(), entry.freshUntil, entry.loadMs, 1, Math.random())
 * ```
 */
export function shouldRefreshEarly(nowMs: number, freshUntilMs: number, loadMs: number, beta: number, random: number): boolean {
  if (beta <= 0) return false
  if (nowMs >= freshUntilMs) return true
  // random() may return 0, and ln(0) is -Infinity: that is "refresh now", which is the limit anyway.
  const headStartMs = -Math.max(loadMs, MIN_LOAD_MS) * beta * Math.log(random)
  return nowMs + headStartMs >= freshUntilMs
}
