/**
 * What every library under test is reduced to: read-through by id, the way its own README
 * writes it (Cachette `getOrSet`, bentocache `getOrSet`, cache-manager `wrap`, cacheable
 * `getOrSet`, cachified `cachified()`, keyv get-then-set), plus an untimed delete.
 */

/** A loader: what the application would run on a miss (a database read). */
export type Loader = () => Promise<unknown>

/** One library, configured as its documentation recommends, behind a common shape. */
export interface Contender {
  /** Row label in the report, e.g. `cachette`, `bentocache (memory)`. */
  readonly name: string
  /** The package whose version the report shows (read from its package.json at run time). */
  readonly packageName: string | undefined
  /** The cached value for `id`, or the loader's, stored for next time (TTL 10 minutes). */
  getOrSet(id: string, loader: Loader): Promise<unknown>
  /** Removes the entry of `id` (used between timed iterations, never timed). */
  delete(id: string): Promise<void>
  /** Closes what the contender opened. */
  close(): Promise<void>
}

/** Every contender stores for this long, so no entry expires during a run. */
export const TTL_MS = 600_000

/** A short random tag so concurrent runs and contenders never share store keys. */
export function runId(): string {
  return Math.random().toString(36).slice(2, 8)
}
