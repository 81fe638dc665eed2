import type { BatchCommand, ScoreBound, SortedSetEntry, ZRangeOptions } from '@cachette/core'

/**
 * One driver call as plain data, with keys *relative* to a test prefix (`applyDriverCommand`
 * prepends it), so the same sequence can run on a driver, on another driver, and on the
 * reference model, and the results be compared.
 */
export type DriverCommand =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'getBytes'; readonly key: string }
  | { readonly op: 'mget'; readonly keys: readonly string[] }
  | { readonly op: 'set'; readonly key: string; readonly value: string; readonly ttlMs?: number; readonly condition?: 'nx' | 'xx' }
  | { readonly op: 'delete'; readonly keys: readonly string[] }
  | { readonly op: 'exists'; readonly keys: readonly string[] }
  | { readonly op: 'pttl'; readonly key: string }
  | { readonly op: 'pexpire'; readonly key: string; readonly ttlMs: number }
  | { readonly op: 'incrby'; readonly key: string; readonly by: number }
  | { readonly op: 'scan'; readonly pattern: string }
  | { readonly op: 'hset'; readonly key: string; readonly fields: Readonly<Record<string, string>> }
  | { readonly op: 'hgetall'; readonly key: string }
  | { readonly op: 'hdel'; readonly key: string; readonly fields: readonly string[] }
  | { readonly op: 'hincrby'; readonly key: string; readonly field: string; readonly by: number }
  | { readonly op: 'sadd'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'srem'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'smembers'; readonly key: string }
  | { readonly op: 'zadd'; readonly key: string; readonly entries: readonly SortedSetEntry[] }
  | { readonly op: 'zrangeByScore'; readonly key: string; readonly min: ScoreBound; readonly max: ScoreBound; readonly options?: ZRangeOptions }
  | { readonly op: 'zrem'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'zcard'; readonly key: string }
  | { readonly op: 'zremRangeByScore'; readonly key: string; readonly min: ScoreBound; readonly max: ScoreBound }
  | { readonly op: 'compareAndDelete'; readonly key: string; readonly expected: string }
  | { readonly op: 'batch'; readonly commands: readonly BatchCommand[] }
  /** Lets time pass (only generated for an exact, fake clock). */
  | { readonly op: 'advance'; readonly ms: number }

/**
 * A command's outcome in a form that compares with `toEqual` across drivers:
 * - errors become their `code` (`WRONG_TYPE`, `NOT_INTEGER`...);
 * - `smembers` and `scan` are sorted (and `scan` de-duplicated, prefix removed);
 * - `hgetall` is a list of `[field, value]` pairs sorted by field;
 * - `getBytes` is a lowercase hex string;
 * - an integer beyond 2^53 becomes `'unsafe-integer'` (clients round such replies differently);
 * - without an exact clock, a positive `pttl` becomes `'ttl'`.
 */
export type DriverCommandResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: string }

/** How TTLs appear in generated commands. */
export type CommandTtlMode = 'none' | 'long' | 'exact'

/** What `applyDriverCommand` and the reference model need to know about time. */
export interface ApplyCommandOptions {
  /**
   * True when time only moves through `advance` commands (a fake clock): `pttl` is then compared
   * to the millisecond.
   *
   * @default false
   * @example
   * ```ts
   * await applyDriverCommand(driver, prefix, { op: 'pttl', key: 'k' }, { exactTime: true }) // { ok: true, value: 10 }
   * await applyDriverCommand(driver, prefix, { op: 'pttl', key: 'k' })                      // { ok: true, value: 'ttl' }
   * ```
   */
  readonly exactTime?: boolean
  /**
   * Runs an `advance` command. Required when the sequence contains one.
   *
   * @default none (an `advance` command then throws)
   * @example
   * ```ts
   * const clock = createFakeClock()
   * const options = { exactTime: true, advanceTime: async (ms: number) => { clock.advance(ms) } }
   * await applyDriverCommand(memoryDriver({ clock }), prefix, { op: 'advance', ms: 100 }, options) // { ok: true, value: null }
   * ```
   */
  readonly advanceTime?: (ms: number) => Promise<void>
}

/** The marker that replaces an integer result beyond Number.MAX_SAFE_INTEGER. */
export const UNSAFE_INTEGER = 'unsafe-integer'

/** Normalizes a numeric result (see {@link DriverCommandResult}). */
export function normalizeNumber(value: number): number | string {
  return Number.isSafeInteger(value) || !Number.isInteger(value) ? value : UNSAFE_INTEGER
}

/** Normalizes a pttl result (see {@link DriverCommandResult}). */
export function normalizePttl(value: number, exactTime: boolean): number | string {
  return exactTime || value < 0 ? value : 'ttl'
}

/** Sorted `[field, value]` pairs of a hash. */
export function hashPairs(hash: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(hash).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}
