import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import { compileGlob } from '../keys/glob.js'
import { InvalidationBus, type BusMessage } from './invalidation-bus.js'
import { L1Tier, type L1Fields } from './l1-tier.js'
import type { EntryMeta } from '../encoding/envelope.js'
import type { DriverValue } from '../driver/driver.js'
import type { KeySpec } from '../keys/define-key.js'
import { MISS } from '../store-calls/cache-runtime.js'
import { TrackingSubscription } from './tracking-subscription.js'

/**
 * Sets up the memory tier and its bus on a runtime (`createCache({ l1 })`): a message from
 * another process drops what it names; a lost bus connection stops the tier serving until the
 * subscription is back.
 *
 * @example
 * ```ts
 * if (rt.config.l1 !== undefined) startTiers(rt)
 * ```
 */
export function startTiers(rt: CacheRuntime): void {
  const config = rt.config.l1
  if (config === undefined) return
  const l1 = new L1Tier(config)
  rt.l1 = l1
  if (config.tracking !== false) startTracking(rt, l1, config.tracking)
  if (!config.bus) return
  const bus = new InvalidationBus(rt.store, {
    received: (message) => dropLocally(rt, message),
    connectionChanged: (connected) => (connected ? l1.resume() : l1.suspend()),
  })
  rt.bus = bus
  bus.start()
}

/**
 * Client-side caching: Redis's reports drop keys from the tier (a tag token key drops every
 * entry under that tag), a flush drops everything, a lost tracking connection stops the tier
 * serving until tracking is on again.
 */
function startTracking(rt: CacheRuntime, l1: L1Tier, mode: 'default' | 'broadcast'): void {
  const tagKeyHead = rt.tagTokens.tokenKey('')
  const tracking = new TrackingSubscription(rt.store, mode === 'broadcast' ? [rt.config.keyPrefix] : undefined, {
    changed(fullKeys) {
      const keys: string[] = []
      const tags: string[] = []
      for (const fullKey of fullKeys) {
        if (fullKey.startsWith(tagKeyHead)) tags.push(fullKey.slice(tagKeyHead.length))
        else keys.push(fullKey)
      }
      if (keys.length > 0) l1.invalidateKeys(keys)
      if (tags.length > 0) l1.invalidateTags(tags)
    },
    flushed: () => l1.clear(),
    connectionChanged: (connected) => (connected ? l1.resume() : l1.suspend()),
  })
  rt.tracking = tracking
  tracking.start()
}

/**
 * Drops what an invalidation names from the memory tier (this process's own invalidations, before
 * the store is touched, and other processes' from the bus).
 *
 * @example
 * ```ts
 * dropLocally(rt, { keys: ['identity:patient:42'] })
 * ```
 */
export function dropLocally(rt: CacheRuntime, message: BusMessage): void {
  const l1 = rt.l1
  if (l1 === undefined) return
  if (message.clear === true) {
    l1.clear()
    return
  }
  if (message.keys !== undefined && message.keys.length > 0) l1.invalidateKeys(message.keys)
  if (message.tags !== undefined && message.tags.length > 0) l1.invalidateTags(message.tags)
  if (message.patterns !== undefined && message.patterns.length > 0) {
    const globs = message.patterns.map((pattern) => compileGlob(pattern))
    l1.invalidateWhere((fullKey) => globs.some((matches) => matches(fullKey)))
  }
}

/**
 * Tells the other processes (their memory tiers) that the store changed: after a write, and after
 * an invalidation reached the store. A no-op without a bus.
 *
 * @example
 * ```ts
 * announce(rt, { tags: ['tenant:7'] })
 * ```
 */
export function announce(rt: CacheRuntime, message: BusMessage): void {
  rt.bus?.publish(message)
}

/**
 * Keeps what a store read or write produced in the memory tier (unless an invalidation or a bus
 * outage came since `mark`).
 *
 * @param entryExpiresAt when the entry expires in the store, when known (a write); a read knows only its `f`
 * @example
 * ```ts
 * keepInL1(rt, fullKey, spec, payload, meta, mark, undefined)
 * ```
 */
export function keepInL1(
  rt: CacheRuntime,
  fullKey: string,
  spec: KeySpec | undefined,
  payload: DriverValue,
  meta: EntryMeta | undefined,
  mark: number,
  entryExpiresAt: number | undefined,
  shared: unknown = MISS,
): void {
  const l1 = rt.l1
  if (l1 === undefined) return
  // Redis's default tracking mode reports only keys this process read: a value it wrote is not
  // tracked, so another process's later change would never be reported. It is kept once read back.
  if (entryExpiresAt !== undefined && l1.config.tracking === 'default') return
  const now = rt.config.clock.now()
  const graceMs = rt.keys.policyOf(spec).graceMs
  const freshUntil = meta?.f
  const fields: L1Fields = {
    payload,
    codec: spec?.codec ?? rt.config.codec,
    shared,
    tags: meta?.t,
    freshUntil,
    loadMs: meta?.d ?? 0,
    staleUntil: (freshUntil ?? entryExpiresAt ?? now + l1.config.ttlMs) + graceMs,
  }
  l1.put(fullKey, fields, mark, now, entryExpiresAt)
}

/** `stats().l1` without the counters kept in the cache's stats. */
export function l1Stats(rt: CacheRuntime): { entries: number; bytes: number; evictions: number; serving: boolean; busPublished: number; busReceived: number; busPublishFailures: number; busPending: number; trackingReports: number } | undefined {
  const l1 = rt.l1
  if (l1 === undefined) return undefined
  const bus = rt.bus
  return {
    entries: l1.size,
    bytes: l1.bytes,
    evictions: l1.evictions,
    serving: l1.serving,
    busPublished: bus?.published ?? 0,
    busReceived: bus?.received ?? 0,
    busPublishFailures: bus?.publishFailures ?? 0,
    busPending: bus?.pending ?? 0,
    trackingReports: rt.tracking?.received ?? 0,
  }
}
