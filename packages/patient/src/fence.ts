import { encodeBase64Url } from '@cachette/core'

/**
 * The fence of 'hash' storage, the same design as `@cachette/core`'s for getOrSet: a load that
 * started before an invalidation, in any process, does not write what it read.
 *
 * - An invalidation never leaves the key empty: it SETs a tombstone, `@cf <128 random bits>`, that
 *   lives the fence TTL. A plain string SET replaces the HASH atomically. A tombstone is a miss.
 * - A load remembers a tombstone the key held before its loader ran. When the key held nothing,
 *   the load first *claims* it: SET NX of a tombstone of its own. So every load that may write
 *   holds a token, and its write first removes exactly that token (compareAndDelete). Any
 *   invalidation since then replaced the token, and the write is skipped.
 * - The write is one MULTI without DEL: HDEL of the null fields, HSET, PEXPIRE. HSET on a key that
 *   holds a string fails with WRONGTYPE, so a tombstone set between the compareAndDelete and the
 *   MULTI still blocks it.
 *
 * Why claim an absent key instead of writing with a plain HSET after observing "nothing": the
 * absent state comes back. A load L1 reads nothing, an invalidation leaves tombstone T, a load L2
 * reads T, loads, compareAndDeletes T and writes its (fresh) HASH: L1's HSET, whenever it comes,
 * lands on an absent key or merges into L2's HASH, with what L1 read before the commit. A token
 * never comes back, so L1's compareAndDelete of its own claim fails instead.
 */

/** The first bytes of a tombstone: the same as core's, not a HASH, so no reader takes it for a record. */
const TOMBSTONE_HEADER = '@cf '

/**
 * A fresh tombstone: unique, so a write comparing against an older one never matches it.
 *
 * @example
 * ```ts
 * newTombstone() // '@cf q3Vw0Jw8mZ0bqzjH2o6wXg'
 * ```
 */
export function newTombstone(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return TOMBSTONE_HEADER + encodeBase64Url(bytes)
}

/**
 * Whether a string read at a patient key is a tombstone (an invalidation's, or a load's claim).
 *
 * @example
 * ```ts
 * isTombstone('@cf q3Vw0Jw8mZ0bqzjH2o6wXg') // true
 * ```
 */
export function isTombstone(value: string): boolean {
  return value.startsWith(TOMBSTONE_HEADER)
}
