import { openEntry, sealEntry } from '../encoding/sealed-entry.js'
import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { EntryMeta } from '../encoding/envelope.js'
import type { DriverValue } from '../driver/driver.js'
import { decodeStringEntry, encodeEntry } from '../encoding/wire-format.js'
import { encodeBase64 } from '../encoding/base64.js'
import { escapeGlob } from '../keys/glob.js'
import { InvalidOptionsError } from '../errors.js'

/** What `cache.reencrypt()` found and did. */
export interface ReencryptResult {
  /** Entries rewritten under the current key. */
  readonly reencrypted: number
  /** Entries already under the current key. */
  readonly current: number
  /**
   * Entries left under another key, by key id: ones this cache cannot open (a key it lacks, or an
   * entry that fails authentication), or that changed while being rewritten (run it again).
   */
  readonly remaining: Readonly<Record<string, number>>
  /** Entries of this prefix stored in clear (written before encryption was on). */
  readonly unencrypted: number
}

/**
 * Rewrites an entry sealed under an old key under the current one, in the background, if it still
 * holds what was read (compare-and-set) and keeping its store expiry. Needs a driver with
 * compareAndSet; without one the entry is rewritten at its next write.
 *
 * @example
 * ```ts
 * if (sealer.current !== meta.k) resealLater(rt, fullKey, raw, meta, plaintext)
 * ```
 */
export function resealLater(rt: CacheRuntime, fullKey: string, raw: DriverValue, meta: EntryMeta, plaintext: Uint8Array): void {
  if (rt.closed || typeof raw !== 'string') return
  // A hot entry is read many times before its rewrite lands: one rewrite at a time per key.
  let busy = resealing.get(rt)
  if (busy === undefined) resealing.set(rt, (busy = new Set()))
  if (busy.has(fullKey)) return
  const keys = busy
  keys.add(fullKey)
  rt.store.track(
    reseal(rt, fullKey, raw, meta, plaintext)
      .catch(() => false)
      .finally(() => keys.delete(fullKey)),
  )
}

/** The keys each cache is rewriting under the current key now. */
const resealing = new WeakMap<CacheRuntime, Set<string>>()

/**
 * Seals `plaintext` again under the current key with `meta` (an expiry from `meta.x`, kept), and
 * writes it over `raw` if the key still holds it. True when written.
 *
 * @example
 * ```ts
 * await reseal(rt, fullKey, raw, { ...meta, f: now }, plaintext) // soft expiry of an encrypted entry
 * ```
 */
export async function reseal(rt: CacheRuntime, fullKey: string, raw: string, meta: EntryMeta, plaintext: Uint8Array): Promise<boolean> {
  const sealer = rt.config.sealer
  const driver = rt.config.driver
  const compareAndSet = driver.capabilities.compareAndSet === true ? driver.compareAndSet?.bind(driver) : undefined
  if (sealer === undefined || compareAndSet === undefined || meta.x === undefined) return false
  const ttlMs = Math.floor(meta.x - rt.config.clock.now())
  if (ttlMs < 1) return false
  const sealed = await sealEntry(sealer, fullKey, plaintext, meta)
  const stored = encodeEntry('cachette', { format: 'string', payload: encodeBase64(sealed.ciphertext) }, sealed.meta)
  const attributes = rt.keys.stringKeyAttributes
  const done = await rt.store.call('set', attributes, undefined, () => compareAndSet(fullKey, raw, stored, { ttlMs }))
  if (done && meta.k !== sealed.meta.k) rt.stats.reencrypted++
  return done
}

/**
 * `cache.reencrypt()`: walks every entry of the cache's prefix (SCAN, on every master) and
 * rewrites those sealed under an old key under the current one (compare-and-set, keeping their
 * expiry). Says how many remain under each old key, so an old key can be dropped once none do.
 * Reads also rewrite what they open, so entries in use move on their own.
 *
 * @throws InvalidOptionsError when the cache has no encryption, or no prefix (it would walk the whole database).
 * @example
 * ```ts
 * const { remaining } = await cache.reencrypt()
 * if (Object.keys(remaining).length === 0) dropOldKey()
 * ```
 */
export async function reencryptAll(rt: CacheRuntime): Promise<ReencryptResult> {
  const sealer = rt.config.sealer
  if (sealer === undefined) throw new InvalidOptionsError('[@cachette/core] reencrypt() needs a cache with encryption')
  if (rt.config.keyPrefix === '') throw new InvalidOptionsError('[@cachette/core] reencrypt() needs a cache with a prefix: without one it would walk the whole database')
  if (rt.closed) throw rt.store.closedError('reencrypt')
  const driver = rt.config.driver
  const attributes = rt.keys.stringKeyAttributes
  let reencrypted = 0
  let current = 0
  let unencrypted = 0
  const remaining: Record<string, number> = {}
  const tagPrefix = `${rt.config.keyPrefix}cachette:`
  for await (const fullKey of driver.scan(`${escapeGlob(rt.config.keyPrefix)}*`, { count: 1_000 })) {
    if (fullKey.startsWith(tagPrefix)) continue
    const raw = await rt.store.call('get', attributes, undefined, () => driver.get(fullKey))
    if (raw === null || !raw.startsWith('@c')) continue
    let meta: EntryMeta | undefined
    let payload: string
    try {
      ;({ meta, payload } = decodeStringEntry('cachette', raw))
    } catch {
      continue // a tombstone, a bytes entry, or not an entry
    }
    if (meta?.k === undefined) {
      unencrypted++
      continue
    }
    if (meta.k === sealer.current) {
      current++
      continue
    }
    let plaintext: Uint8Array
    try {
      plaintext = await openEntry(sealer, fullKey, raw, meta, payload)
    } catch {
      remaining[meta.k] = (remaining[meta.k] ?? 0) + 1
      continue
    }
    if (await reseal(rt, fullKey, raw, meta, plaintext)) reencrypted++
    else remaining[meta.k] = (remaining[meta.k] ?? 0) + 1
  }
  return { reencrypted, current, remaining, unencrypted }
}
