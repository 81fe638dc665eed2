import type { CacheRuntime } from './cache-runtime.js'
import type { Key, KeyPattern } from './define-key.js'
import { InvalidKeyError } from './errors.js'
import { compileGlob, escapeGlob } from './glob.js'
import type { TagTokens } from './tag-tokens.js'

/** Keys deleted per DEL during deletePattern: big enough to be fast, small enough not to block Redis. */
const DELETE_BATCH = 500
/** SCAN COUNT hint. */
const SCAN_COUNT = 1_000

/**
 * `cache.invalidate`: deletes entries; resolves how many existed. Unlike reads, it rejects on a
 * store failure (DriverError, DeadlineExceededError): a lost invalidation leaves stale data
 * visible, so the caller must know and may retry. A getOrSet load in progress for one of these
 * keys will not store its (possibly stale) result, and later callers start a fresh load.
 *
 * @example
 * ```ts
 * await db.commit(); await cache.invalidate(patientKey({ id: 42 }))
 * ```
 */
export async function invalidateKeys(rt: CacheRuntime, keys: Key<unknown> | string | readonly (Key<unknown> | string)[]): Promise<number> {
  const list = Array.isArray(keys) ? (keys as readonly (Key<unknown> | string)[]) : [keys as Key<unknown> | string]
  const specs = list.map((key) => rt.specOf(key))
  const fullKeys = list.map((key) => rt.fullKey(key))
  if (!rt.config.enabled || fullKeys.length === 0) return 0
  if (rt.closed) throw rt.closedError('invalidate')
  for (const fullKey of fullKeys) dropFlight(rt, fullKey)
  const spec = specs[0]
  const driver = rt.config.driver
  const deleted = await rt.call('invalidate', rt.attributesOf(spec), spec, () => driver.delete(fullKeys))
  rt.stats.deletes += deleted
  return deleted
}

/** A load in progress for an invalidated key must neither store its result nor serve new callers. */
function dropFlight(rt: CacheRuntime, fullKey: string): void {
  const flight = rt.flights.get(fullKey)
  if (flight === undefined) return
  flight.skipWrite = true
  rt.flights.delete(fullKey)
}

/**
 * `cache.deletePattern`: SCAN (never KEYS) for the cache prefix + pattern, deleted in batches;
 * resolves how many existed. A {@link KeyPattern} deletes only keys of its own template. Rejects
 * on a store failure, like invalidate (what was deleted before the failure stays deleted).
 *
 * @example
 * ```ts
 * await cache.deletePattern(exportKey.pattern({ type: 'venues' }))   // fhir:export:venues:ej:*
 * ```
 */
export async function deletePattern(rt: CacheRuntime, pattern: KeyPattern | string): Promise<number> {
  const isKeyPattern = typeof pattern === 'object' && pattern !== null && typeof pattern.glob === 'string'
  if (!isKeyPattern && typeof pattern !== 'string') throw new InvalidKeyError('[@cachette/core] deletePattern expects a glob string or key.pattern()')
  if (!rt.config.enabled) return 0
  if (rt.closed) throw rt.closedError('deletePattern')
  const { keyPrefix, driver } = rt.config
  const glob = escapeGlob(keyPrefix) + (isKeyPattern ? (pattern as KeyPattern).glob : (pattern as string))
  const keep = isKeyPattern
    ? (fullKey: string) => fullKey.startsWith(keyPrefix) && (pattern as KeyPattern).matches(fullKey.slice(keyPrefix.length))
    : () => true
  const attributes = rt.stringKeyAttributes

  const inGlob = compileGlob(glob)
  for (const fullKey of [...rt.flights.keys()]) if (inGlob(fullKey) && keep(fullKey)) dropFlight(rt, fullKey)

  let deleted = 0
  let batch: string[] = []
  const flush = async () => {
    const keys = batch
    batch = []
    deleted += await rt.call('deletePattern', attributes, undefined, () => driver.delete(keys))
  }
  let iterator: AsyncIterator<string> | undefined
  try {
    for (;;) {
      const started = performance.now()
      let step: IteratorResult<string>
      try {
        // Every store call has a deadline, each SCAN page included.
        iterator ??= driver.scan(glob, { count: SCAN_COUNT })[Symbol.asyncIterator]()
        step = await rt.deadlines.run(iterator.next(), 'deletePattern')
      } catch (error) {
        throw rt.failed('deletePattern', attributes, undefined, error, started)
      }
      if (step.done === true) break
      if (!keep(step.value)) continue
      batch.push(step.value)
      if (batch.length >= DELETE_BATCH) await flush()
    }
    if (batch.length > 0) await flush()
  } catch (error) {
    // Stop the scan; what was deleted so far stays deleted and counted.
    iterator?.return?.()?.catch(() => undefined)
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
export async function invalidateTags(rt: CacheRuntime, tagTokens: TagTokens, tags: readonly string[]): Promise<void> {
  if (!Array.isArray(tags)) throw new InvalidKeyError('[@cachette/core] invalidateTags expects an array of tags')
  const checked = [...new Set(tags.map((tag) => rt.checkTag(tag, undefined)))]
  if (!rt.config.enabled || checked.length === 0) return
  if (rt.closed) throw rt.closedError('invalidateTags')
  await tagTokens.invalidate(checked, rt.stringKeyAttributes)
}
