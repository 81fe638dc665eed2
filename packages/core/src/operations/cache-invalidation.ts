import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeyPattern } from '../keys/define-key.js'
import { CircuitOpenError, InvalidKeyError, isCacheError } from '../errors.js'
import { compileGlob, escapeGlob } from '../keys/glob.js'
import { fenceFoundKeys, fenceKeys } from './fence.js'
import { isQueueable } from '../resilience/invalidation-queue.js'
import { announce } from '../tiers/tiers.js'
import type { BusMessage } from '../tiers/invalidation-bus.js'

/** Keys deleted per DEL during deletePattern: big enough to be fast, small enough not to block Redis. */
const DELETE_BATCH = 500
/** SCAN COUNT hint. */
const SCAN_COUNT = 1_000

/**
 * `cache.invalidate`: deletes entries (with the fence on, replaces them by a tombstone, absent keys
 * included); resolves how many keys existed. Unlike reads, it rejects on a store failure
 * (DriverError, DeadlineExceededError): a lost invalidation leaves stale data visible, so the
 * caller must know and may retry. A getOrSet load in progress for one of these keys, in this
 * process or (fence on) any other, will not store its (possibly stale) result, and later callers
 * start a fresh load.
 *
 * @example
 * ```ts
 * await db.commit(); await cache.invalidate(patientKey({ id: 42 }))
 * ```
 */
export async function invalidateKeys(rt: CacheRuntime, keys: Key<unknown> | string | readonly (Key<unknown> | string)[]): Promise<number> {
  const list = Array.isArray(keys) ? (keys as readonly (Key<unknown> | string)[]) : [keys as Key<unknown> | string]
  const specs = list.map((key) => rt.keys.specOf(key))
  const fullKeys = list.map((key) => rt.keys.fullKey(key))
  if (!rt.config.enabled || fullKeys.length === 0) return 0
  if (rt.closed) throw rt.store.closedError('invalidate')
  for (const fullKey of fullKeys) dropFlight(rt, fullKey)
  rt.l1?.invalidateKeys(fullKeys)
  const spec = specs[0]
  const attributes = rt.keys.attributesOf(spec)
  let deleted: number
  try {
    deleted = await fenceKeys(rt, fullKeys, 'invalidate', attributes, spec)
  } catch (error) {
    if (!queueFailed(rt, error, () => rt.queue?.addKeys(fullKeys) === true)) throw error
    return 0
  }
  rt.stats.deletes += deleted
  announce(rt, { keys: fullKeys })
  if (rt.events.active) rt.events.emit('delete', attributes, spec, { operation: 'invalidate', count: deleted })
  return deleted
}

/**
 * After a failed invalidation: queues it when the store is unreachable (so it is never lost).
 * Returns true when the caller should resolve (queued, and `whenQueued: 'resolve'`); false
 * when it should rethrow (not queueable, no queue, queue full, or `whenQueued: 'reject'`).
 */
function queueFailed(rt: CacheRuntime, error: unknown, enqueue: () => boolean): boolean {
  return queueAfterFailure(rt, error, enqueue) && rt.queue?.config.whenQueued === 'resolve'
}

/**
 * Queues a failed invalidation when the store is unreachable; true when it is queued (retried
 * until it succeeds, its entries read as misses meanwhile), false when it could not be (not
 * queueable, no queue, queue full: logged).
 *
 * @example
 * ```ts
 * if (!queueAfterFailure(rt, error, () => rt.queue?.addKeys(fullKeys) === true)) throw error
 * ```
 */
export function queueAfterFailure(rt: CacheRuntime, error: unknown, enqueue: () => boolean): boolean {
  const queue = rt.queue
  if (queue === undefined || !isCacheError(error) || !isQueueable(error.code)) return false
  if (enqueue()) return true
  rt.store.warn('an invalidation failed and the invalidation queue is full: it was not queued', 'invalidate', error.code, rt.keys.stringKeyAttributes, undefined)
  return false
}

/** A load in progress for an invalidated key must neither store its result nor serve new callers. */
export function dropFlight(rt: CacheRuntime, fullKey: string): void {
  rt.shared?.forget(fullKey)
  const flight = rt.flights.get(fullKey)
  if (flight !== undefined) {
    flight.skipWrite = true
    rt.flights.delete(fullKey)
  }
  const load = rt.loads.get(fullKey)
  if (load !== undefined) {
    load.skipWrite = true
    rt.loads.delete(fullKey)
  }
}

/**
 * `cache.deletePattern`: SCAN (never KEYS) for the cache prefix + pattern, deleted in batches (with
 * the fence on, each key found is replaced by a tombstone); resolves how many existed. A {@link KeyPattern} deletes only keys of its own template. Rejects
 * on a store failure, like invalidate (what was deleted before the failure stays deleted).
 *
 * `announcement` replaces what other processes are told (clear() tells them to drop everything).
 *
 * @example
 * ```ts
 * await cache.deletePattern(exportKey.pattern({ type: 'venues' }))   // fhir:export:venues:ej:*
 * ```
 */
export async function deletePattern(rt: CacheRuntime, pattern: KeyPattern | string, announcement?: BusMessage): Promise<number> {
  const isKeyPattern = typeof pattern === 'object' && pattern !== null && typeof pattern.glob === 'string'
  if (!isKeyPattern && typeof pattern !== 'string') throw new InvalidKeyError('[@cachette/core] deletePattern expects a glob string or key.pattern()')
  if (!rt.config.enabled) return 0
  if (rt.closed) throw rt.store.closedError('deletePattern')
  const { glob, keep } = patternMatcher(rt, pattern)
  const attributes = rt.keys.stringKeyAttributes

  const inGlob = compileGlob(glob)
  for (const fullKey of [...rt.flights.keys(), ...rt.loads.keys()]) if (inGlob(fullKey) && keep(fullKey)) dropFlight(rt, fullKey)
  rt.shared?.forgetWhere((fullKey) => inGlob(fullKey) && keep(fullKey))
  rt.l1?.invalidateWhere((fullKey) => inGlob(fullKey) && keep(fullKey))
  try {
    const deleted = await scanAndDelete(rt, glob, keep)
    // Other processes drop every match of the glob: a KeyPattern's template filter stays here.
    announce(rt, announcement ?? { patterns: [glob] })
    if (rt.events.active) rt.events.emit('delete', attributes, undefined, { operation: 'deletePattern', count: deleted })
    return deleted
  } catch (error) {
    const id = `${isKeyPattern ? (pattern as KeyPattern).template : ''}\u0000${glob}`
    if (!queueFailed(rt, error, () => rt.queue?.addPattern(id, { pattern, matches: (fullKey) => inGlob(fullKey) && keep(fullKey) }) === true)) throw error
    return 0
  }
}

/** The store glob of a pattern below the cache prefix, and the filter that keeps a KeyPattern to its own template. */
function patternMatcher(rt: CacheRuntime, pattern: KeyPattern | string): { glob: string; keep: (fullKey: string) => boolean } {
  const keyPrefix = rt.config.keyPrefix
  if (typeof pattern === 'string') return { glob: escapeGlob(keyPrefix) + pattern, keep: () => true }
  return {
    glob: escapeGlob(keyPrefix) + pattern.glob,
    keep: (fullKey: string) => fullKey.startsWith(keyPrefix) && pattern.matches(fullKey.slice(keyPrefix.length)),
  }
}

/**
 * deletePattern without queueing or dropping loads: what the invalidation queue runs on retry.
 *
 * @example
 * ```ts
 * await deletePatternNow(rt, exportKey.pattern({ ejId: 1 }))
 * ```
 */
export function deletePatternNow(rt: CacheRuntime, pattern: KeyPattern | string): Promise<number> {
  const { glob, keep } = patternMatcher(rt, pattern)
  return scanAndDelete(rt, glob, keep)
}

/** SCAN + batched deletes; rejects on the first store failure (what was deleted stays deleted and counted). */
async function scanAndDelete(rt: CacheRuntime, glob: string, keep: (fullKey: string) => boolean): Promise<number> {
  const driver = rt.config.driver
  const attributes = rt.keys.stringKeyAttributes
  if (rt.store.breaker?.rejects() === true) {
    rt.store.skipped('deletePattern', attributes)
    throw new CircuitOpenError('deletePattern')
  }

  let deleted = 0
  let batch: string[] = []
  // One delete batch in flight while the scan goes on: the scan no longer stops for each batch's
  // round trip, and Redis still never holds more than one SCAN page and one batch of ours.
  let inFlight: Promise<void> | undefined
  const flush = async () => {
    const keys = batch
    batch = []
    await inFlight
    const pending = fenceFoundKeys(rt, keys, attributes).then((count) => {
      deleted += count
    })
    pending.catch(() => undefined) // surfaced by the next flush or the final await
    inFlight = pending
  }
  let iterator: AsyncIterator<string> | undefined
  try {
    for (;;) {
      const started = performance.now()
      let step: IteratorResult<string>
      try {
        // Every store call has a deadline, each SCAN page included.
        iterator ??= driver.scan(glob, { count: SCAN_COUNT })[Symbol.asyncIterator]()
        step = await rt.store.deadlines.run(iterator.next(), 'deletePattern')
        rt.store.breaker?.succeeded()
      } catch (error) {
        throw rt.store.failed('deletePattern', attributes, undefined, error, started)
      }
      if (step.done === true) break
      if (!keep(step.value)) continue
      batch.push(step.value)
      if (batch.length >= DELETE_BATCH) await flush()
    }
    if (batch.length > 0) await flush()
    await inFlight
  } catch (error) {
    // Stop the scan; what was deleted so far stays deleted and counted.
    iterator?.return?.()?.catch(() => undefined)
    await inFlight?.catch(() => undefined)
    rt.stats.deletes += deleted
    throw error
  }
  rt.stats.deletes += deleted
  return deleted
}

/**
 * `cache.invalidateTags`: replaces each tag's version token (one store write per tag, whatever
 * the number of tagged entries); every entry written under the old token now reads as a miss.
 * Rejects on a store failure, like invalidate.
 *
 * @example
 * ```ts
 * await cache.invalidateTags([`tenant:${tenantId}`])
 * ```
 */
export async function invalidateTags(rt: CacheRuntime, tags: readonly string[]): Promise<void> {
  if (!Array.isArray(tags)) throw new InvalidKeyError('[@cachette/core] invalidateTags expects an array of tags')
  const checked = [...new Set(tags.map((tag) => rt.keys.checkTag(tag, undefined)))]
  if (!rt.config.enabled || checked.length === 0) return
  if (rt.closed) throw rt.store.closedError('invalidateTags')
  rt.l1?.invalidateTags(checked)
  try {
    await rt.tagTokens.invalidate(checked, rt.keys.stringKeyAttributes)
    announce(rt, { tags: checked })
  } catch (error) {
    // Re-invalidating a tag that did get a new token is harmless: queue them all.
    if (!queueFailed(rt, error, () => rt.queue?.addTags(checked) === true)) throw error
    return
  }
  if (rt.events.active) rt.events.emit('delete', rt.keys.stringKeyAttributes, undefined, { operation: 'invalidateTags', count: checked.length })
}
