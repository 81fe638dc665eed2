import { openEntry } from '../encoding/sealed-entry.js'
import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key } from '../keys/define-key.js'
import { InvalidKeyError } from '../errors.js'
import { decodeStringEntry, encodeEntry } from '../encoding/wire-format.js'
import { isTombstone } from './fence.js'
import { dropFlight, invalidateKeys, queueAfterFailure } from './cache-invalidation.js'
import { announce } from '../tiers/tiers.js'
import { reseal } from './reencrypt.js'
import type { EntryMeta } from '../encoding/envelope.js'

/**
 * `cache.expire`: makes entries stale without deleting them. Each entry is rewritten with its
 * freshness ended now (`f` in its envelope, the payload untouched, compare-and-set so a value
 * written meanwhile is left alone) and keeps its store TTL: the next getOrSet runs the loader, and
 * serves the old value only if the loader fails (grace). get() and has() see a miss at once.
 * Resolves how many entries were made stale. Where the entry cannot be rewritten in place (`wire:
 * 'plain'`, a bytes codec, a driver without compareAndSet) it is invalidated instead (deleted).
 * Rejects on a store failure, like invalidate.
 *
 * @example
 * ```ts
 * await cache.expire(patientKey({ id: 42 })) // next read refreshes; the old value stays for grace
 * ```
 */
export async function expireKeys(rt: CacheRuntime, keys: Key<unknown> | string | readonly (Key<unknown> | string)[]): Promise<number> {
  const list = Array.isArray(keys) ? (keys as readonly (Key<unknown> | string)[]) : [keys as Key<unknown> | string]
  const driver = rt.config.driver
  const compareAndSet = driver.capabilities.compareAndSet === true ? driver.compareAndSet?.bind(driver) : undefined
  // A bytes codec's entry is not text to rewrite: invalidated instead.
  if (rt.config.wire === 'plain' || compareAndSet === undefined || list.some((key) => rt.keys.codecOf(rt.keys.specOf(key)).format === 'bytes')) return invalidateKeys(rt, list)
  const targets = list.map((key) => ({ key, spec: rt.keys.specOf(key), fullKey: rt.keys.fullKey(key) }))
  if (!rt.config.enabled || targets.length === 0) return 0
  if (rt.closed) throw rt.store.closedError('expire')
  let expired = 0
  for (const { fullKey } of targets) {
    dropFlight(rt, fullKey)
    rt.l1?.invalidateKeys([fullKey])
  }
  try {
    await Promise.all(
      targets.map(async ({ key, spec, fullKey }) => {
        const attributes = rt.keys.attributesOf(spec)
        const raw = await rt.store.call('invalidate', attributes, spec, () => driver.get(fullKey))
        if (raw === null || isTombstone(raw)) return
        let envelope
        try {
          envelope = decodeStringEntry('cachette', raw)
        } catch {
          // Not an entry this cache can read: nothing to keep for grace.
          expired += await invalidateKeys(rt, [key])
          return
        }
        const now = rt.config.clock.now()
        const meta = envelope.meta
        if (meta?.f !== undefined && meta.f <= now) return // already stale
        if (meta?.k !== undefined) {
          // Encrypted: its metadata is authenticated, so it is sealed again with the new freshness.
          const outcome = await expireSealed(rt, fullKey, raw, meta, envelope.payload, now)
          if (outcome === 'expired') expired++
          // Not readable here (no key for it): deleted, never left fresh.
          else if (outcome === 'unreadable') expired += await invalidateKeys(rt, [key])
          return
        }
        const policy = rt.keys.policyOf(spec)
        // The store TTL it had left: until its freshness ended, plus grace. An entry that recorded
        // no freshness kept no grace: the key's TTL bounds what it had left.
        const ttlMs = Math.max(1, (meta?.f ?? now + rt.keys.ttlMs(spec, undefined, 'set', attributes)) - now + policy.graceMs)
        const stale = encodeEntry('cachette', { format: 'string', payload: envelope.payload }, { ...meta, f: now })
        if (await rt.store.call('invalidate', attributes, spec, () => compareAndSet(fullKey, raw, stale, { ttlMs }))) expired++
      }),
    )
  } catch (error) {
    const fullKeys = targets.map((target) => target.fullKey)
    // Queued as an invalidation: stronger than asked, never weaker (nothing stale stays fresh).
    if (!queueAfterFailure(rt, error, () => rt.queue?.addKeys(fullKeys) === true) || rt.queue?.config.whenQueued !== 'resolve') throw error
    return 0
  }
  announce(rt, { keys: targets.map((target) => target.fullKey) })
  return expired
}

/**
 * `cache.expireTags`: makes every entry carrying one of `tags` stale without deleting it, in one
 * store write per tag (see {@link TagTokens.expire}). Rejects on a store failure.
 *
 * @example
 * ```ts
 * await cache.expireTags([`tenant:${tenantId}`])
 * ```
 */
export async function expireTags(rt: CacheRuntime, tags: readonly string[]): Promise<void> {
  if (!Array.isArray(tags)) throw new InvalidKeyError('[@cachette/core] expireTags expects an array of tags')
  const checked = [...new Set(tags.map((tag) => rt.keys.checkTag(tag, undefined)))]
  if (!rt.config.enabled || checked.length === 0) return
  if (rt.closed) throw rt.store.closedError('expireTags')
  rt.l1?.invalidateTags(checked)
  try {
    await rt.tagTokens.expire(checked, rt.keys.stringKeyAttributes)
  } catch (error) {
    // Queued as a tag invalidation: stronger than asked, never weaker.
    if (!queueAfterFailure(rt, error, () => rt.queue?.addTags(checked) === true) || rt.queue?.config.whenQueued !== 'resolve') throw error
    return
  }
  announce(rt, { tags: checked })
  if (rt.events.active) rt.events.emit('delete', rt.keys.stringKeyAttributes, undefined, { operation: 'expireTags', count: checked.length })
}

/**
 * Soft expiry of an encrypted entry: opened, sealed again with its freshness ended. `changed` when
 * another write replaced it meanwhile (left alone), `unreadable` when this cache cannot open it.
 */
async function expireSealed(rt: CacheRuntime, fullKey: string, raw: string, meta: EntryMeta, payload: string, now: number): Promise<'expired' | 'changed' | 'unreadable'> {
  const sealer = rt.config.sealer
  if (sealer === undefined) return 'unreadable'
  let plaintext: Uint8Array
  try {
    plaintext = await openEntry(sealer, fullKey, raw, meta, payload)
  } catch {
    return 'unreadable'
  }
  return (await reseal(rt, fullKey, raw, { ...meta, f: now }, plaintext)) ? 'expired' : 'changed'
}
