import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import { hasCapabilities } from '../driver/driver-capabilities.js'
import type { CacheOperation, LabelAttributes } from '../observability/metrics.js'
import type { Observed } from './observed.js'
import { readKeys } from '../store-calls/read-keys.js'
import { newToken } from './tag-tokens.js'

/**
 * The fence keeps a getOrSet load that started before an invalidation from writing what it read,
 * whichever process invalidated (the cache-aside race: B reads the database before A's commit, A
 * invalidates, B writes the old row for a whole TTL).
 *
 * - An invalidation never leaves a key empty: it writes a tombstone, `@cf <128 random bits>`,
 *   that lives `fence.ttl`. A tombstone reads as a miss everywhere.
 * - A getOrSet read remembers what the key held before the loader ran: a tombstone or a stale
 *   entry. When the key was empty, the load places its own tombstone (a claim, SET NX) as its
 *   loader starts. The write after the load replaces exactly that value (compareAndSet; or
 *   compareAndDelete and, only if it was still there, SET NX). An invalidation since the read replaced it, so
 *   the write does not happen. Between the two calls the key is empty, and the only SET NX that can
 *   land there is another load's claim, made after that gap opened, so never stale.
 *
 * A hit is unchanged. A miss writes with two calls instead of one (the claim, which travels while
 * the loader runs, then an atomic compareAndSet); a driver without compareAndSet takes three
 * (compareAndDelete, then SET NX). The guarantee holds while a tombstone outlives the load that must respect
 * it: a load that took longer than the fence TTL (less two deadlines for its writes) does not write.
 */

/** The first bytes of a tombstone: not an `@c1` envelope, so no reader takes it for an entry. */
const TOMBSTONE_HEADER = '@cf '
const TOMBSTONE_BYTES = [0x40, 0x63, 0x66, 0x20]
const utf8 = new TextDecoder('utf-8', { fatal: true })
const BATCH = ['batch'] as const

// The read and load paths import Observed from here, as they did when it was defined here.
export type { Observed } from './observed.js'

/** What a fenced write needs to know about its load. */
export interface WriteFence {
  readonly observed: Observed
  /** performance.now() before the read that observed it. */
  readonly since: number
  /** When the key was empty (or unread): the tombstone this load placed, undefined if it could not. */
  readonly claim: Promise<string | undefined> | undefined
}

/**
 * Places a load's own tombstone on a key its read found empty: SET NX, PX the fence TTL. Resolves
 * the tombstone, or undefined when the key is no longer empty or the store failed (the load will
 * not write). Never rejects.
 *
 * @example
 * ```ts
 * const claim = claimKey(rt, { fullKey, spec, attributes })
 * ```
 */
export function claimKey(rt: CacheRuntime, target: { readonly fullKey: string; readonly spec: KeySpec | undefined; readonly attributes: LabelAttributes }): Promise<string | undefined> {
  const tombstone = newTombstone()
  const driver = rt.config.driver
  const ttlMs = rt.config.fenceMs as number
  return rt.store.call('set', target.attributes, target.spec, () => driver.set(target.fullKey, tombstone, { ttlMs, condition: 'nx' })).then(
    (placed) => (placed ? tombstone : undefined),
    () => undefined,
  )
}

/**
 * A fresh tombstone: unique, so a write comparing against an older one never matches it.
 *
 * @example
 * ```ts
 * newTombstone() // '@cf q3Vw0Jw8mZ0bqzjH2o6wXg'
 * ```
 */
export function newTombstone(): string {
  return TOMBSTONE_HEADER + newToken()
}

/**
 * Whether a raw stored value is a tombstone (as text from `get`, or bytes from `getBytes`).
 *
 * @example
 * ```ts
 * isTombstone('@cf q3Vw0Jw8mZ0bqzjH2o6wXg') // true
 * ```
 */
export function isTombstone(raw: DriverValue): boolean {
  if (typeof raw === 'string') return raw.startsWith(TOMBSTONE_HEADER)
  if (raw.length < TOMBSTONE_BYTES.length) return false
  for (let i = 0; i < TOMBSTONE_BYTES.length; i++) if (raw[i] !== TOMBSTONE_BYTES[i]) return false
  return true
}

/**
 * Gives back a claim when the load will not write (no value, an error, skipCache): in the
 * background, so lookups of absent rows do not leave a tombstone each. Failures are only counted.
 *
 * @example
 * ```ts
 * releaseClaim(rt, { fullKey, spec, attributes }, claim)
 * ```
 */
export function releaseClaim(
  rt: CacheRuntime,
  target: { readonly fullKey: string; readonly spec: KeySpec | undefined; readonly attributes: LabelAttributes },
  claim: Promise<string | undefined> | undefined,
): void {
  if (claim === undefined) return
  const driver = rt.config.driver
  const released = claim.then((tombstone) =>
    tombstone === undefined ? false : rt.store.call('set', target.attributes, target.spec, () => driver.compareAndDelete(target.fullKey, tombstone)),
  )
  rt.store.track(released.catch(() => undefined))
}

/** The observed value as compareAndDelete takes it; undefined for bytes that are not UTF-8 (they cannot be compared). */
function comparable(raw: DriverValue): string | undefined {
  if (typeof raw === 'string') return raw
  try {
    return utf8.decode(raw)
  } catch {
    return undefined
  }
}

/**
 * Whether a load whose read started at `since` (performance.now()) may still write: the
 * tombstones of invalidations since then outlive it, with two store calls (each within its
 * deadline) of margin. False with the fence off.
 *
 * @example
 * ```ts
 * if (!fenceAdmits(rt, fence.since)) return refused(rt)
 * ```
 */
export function fenceAdmits(rt: CacheRuntime, since: number): boolean {
  const fenceMs = rt.config.fenceMs
  return fenceMs !== undefined && performance.now() - since + 2 * rt.config.deadlineMs < fenceMs
}

/**
 * Writes an entry after a load, only if the key still holds what the load observed before its
 * loader ran. Resolves true when written; false when the fence refused it (counted in
 * `fencedWrites`). Store failures reject, as `rt.store.call` does.
 *
 * @example
 * ```ts
 * await fencedSet(rt, { fullKey, spec, attributes }, data, 600_000, { observed: null, since })
 * ```
 */
export async function fencedSet(
  rt: CacheRuntime,
  target: { readonly fullKey: string; readonly spec: KeySpec | undefined; readonly attributes: LabelAttributes },
  data: DriverValue,
  ttlMs: number,
  fence: WriteFence,
): Promise<boolean> {
  const { fullKey, spec, attributes } = target
  const driver = rt.config.driver
  // Two store calls may follow, each within its deadline: the tombstone must outlive them too.
  if (!fenceAdmits(rt, fence.since)) return refused(rt)
  const observed = fence.observed
  let expected: string | undefined
  if (observed === null || observed === undefined) expected = await fence.claim
  // Bytes that are not UTF-8 cannot be compared: the entry stays until it expires.
  else expected = comparable(observed)
  if (expected === undefined) return refused(rt)
  // Only if the key still holds exactly what this load saw (or placed): otherwise it changed since.
  if (driver.capabilities.compareAndSet === true && driver.compareAndSet !== undefined) {
    const compareAndSet = driver.compareAndSet.bind(driver)
    return (await rt.store.call('set', attributes, spec, () => compareAndSet(fullKey, expected, data, { ttlMs }))) || refused(rt)
  }
  if (!(await rt.store.call('set', attributes, spec, () => driver.compareAndDelete(fullKey, expected)))) return refused(rt)
  const written = await rt.store.call('set', attributes, spec, () => driver.set(fullKey, data, { ttlMs, condition: 'nx' }))
  return written || refused(rt)
}

function refused(rt: CacheRuntime): false {
  rt.stats.fencedWrites++
  return false
}

/**
 * How many of `keys` hold an entry (not a tombstone). Sent together with the fencing writes, on
 * the same connections, so it sees the state they replace; it only feeds the returned count.
 */
async function countEntries(rt: CacheRuntime, keys: readonly string[], operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<number> {
  let count = 0
  for (const value of await readKeys(rt.store, keys, operation, attributes, spec)) if (value !== null && !isTombstone(value)) count++
  return count
}

/**
 * Invalidates keys: deleted when the fence is off; replaced by one tombstone otherwise (absent
 * keys included: a load of an absent key may be in flight). Resolves how many held an entry. One
 * atomic batch when the driver can; else, per key, a DEL then a SET: whatever a load writes
 * between the two is replaced by the tombstone.
 *
 * @example
 * ```ts
 * await fenceKeys(rt, ['identity:patient:42'], 'invalidate', attributes, spec)
 * ```
 */
export async function fenceKeys(rt: CacheRuntime, keys: readonly string[], operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<number> {
  const driver = rt.config.driver
  const fenceMs = rt.config.fenceMs
  if (fenceMs === undefined) return rt.store.call(operation, attributes, spec, () => driver.delete(keys))
  const tombstone = newTombstone()
  // Typed with batch() only when the driver announces and has it; else DEL then SET per key.
  const batcher = hasCapabilities(driver, BATCH) ? driver : undefined
  const batched = batcher !== undefined
  const fenceSome = (some: readonly string[]) =>
    rt.store.call(operation, attributes, spec, async () => {
      if (batcher !== undefined) {
        await batcher.batch([{ op: 'delete', keys: some }, ...some.map((key) => ({ op: 'set' as const, key, value: tombstone, ttlMs: fenceMs }))])
        return
      }
      await driver.delete(some)
      await Promise.all(some.map((key) => driver.set(key, tombstone, { ttlMs: fenceMs })))
    })
  const counted = countEntries(rt, keys, operation, attributes, spec)
  counted.catch(() => undefined)
  // A cluster batch must stay in one slot: one per key, in parallel.
  await (keys.length === 1 || (batched && driver.capabilities.crossSlotBatch) ? fenceSome(keys) : Promise.all(keys.map((key) => fenceSome([key]))))
  return counted
}

/**
 * deletePattern's batch: deleted when the fence is off; otherwise each key that still exists is
 * replaced by a tombstone (SET XX), so a load of it in flight cannot write. Resolves how many
 * held an entry.
 *
 * @example
 * ```ts
 * await fenceFoundKeys(rt, ['fhir:export:venues:ej:1'], attributes)
 * ```
 */
export async function fenceFoundKeys(rt: CacheRuntime, keys: readonly string[], attributes: LabelAttributes): Promise<number> {
  const driver = rt.config.driver
  const fenceMs = rt.config.fenceMs
  if (fenceMs === undefined) return rt.store.call('deletePattern', attributes, undefined, () => driver.delete(keys))
  const tombstone = newTombstone()
  const counted = countEntries(rt, keys, 'deletePattern', attributes, undefined)
  counted.catch(() => undefined)
  if (hasCapabilities(driver, BATCH) && driver.capabilities.crossSlotBatch) {
    await rt.store.call('deletePattern', attributes, undefined, () =>
      driver.batch(keys.map((key) => ({ op: 'set' as const, key, value: tombstone, ttlMs: fenceMs, condition: 'xx' as const }))),
    )
  } else {
    await Promise.all(keys.map((key) => rt.store.call('deletePattern', attributes, undefined, () => driver.set(key, tombstone, { ttlMs: fenceMs, condition: 'xx' }))))
  }
  return counted
}
