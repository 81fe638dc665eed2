import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import { InvalidKeyError } from '../errors.js'
import { fenceKeys } from './fence.js'
import { dropFlight } from './cache-invalidation.js'
import { announce } from '../tiers/tiers.js'
import { quiesceSubjects, subjectDriver, subjectIndexKey } from './subject-index.js'

/** Keys fenced per store call batch: bounds each call, as deletePattern's batches do. */
const FORGET_BATCH = 500
/**
 * Times the index is read again after its members were removed: an entry written for the subject
 * by another process while forget ran shows up there and is removed too. Past this, a subject
 * still being written is left indexed (the next forget removes it).
 */
const MAX_ROUNDS = 8

/**
 * `cache.forget`: removes every entry of the data subjects given (erasure by data subject), in
 * every tier and process. Reads each subject's index (SMEMBERS of one SET: the cost grows with
 * that subject's entries only, never with the cache), fences or deletes the entries like
 * invalidate (tombstones with the fence on), drops them from this process's memory tier,
 * announces their keys on the bus, removes them from the index (SREM: an index emptied is gone),
 * then reads the index again until it is empty (bounded). Resolves how many entries existed.
 * Rejects on a store failure (what was removed stays removed; call it again), and is not queued.
 *
 * @throws InvalidKeyError for a bad subject; MissingCapabilityError when the driver has no sets.
 * @example
 * ```ts
 * await db.erasePatient(42)
 * await cache.forget('patient:42')
 * ```
 */
export async function forgetSubjects(rt: CacheRuntime, subjects: string | readonly string[]): Promise<number> {
  if (typeof subjects !== 'string' && !Array.isArray(subjects)) throw new InvalidKeyError('[@cachette/core] forget expects a data subject or an array of them')
  const list = typeof subjects === 'string' ? [subjects] : (subjects as readonly string[])
  const checked = [...new Set(list.map((subject) => rt.keys.checkSubject(subject, undefined)))]
  if (!rt.config.enabled || checked.length === 0) return 0
  if (rt.closed) throw rt.store.closedError('forget')
  const driver = subjectDriver(rt)
  const keyPrefix = rt.config.keyPrefix
  const indexKeys = checked.map((subject) => subjectIndexKey(keyPrefix, subject))
  // Writes of these subjects in flight in this process finish (indexed) first; those planned
  // before now and not yet started will not be stored.
  await quiesceSubjects(rt, indexKeys)
  if (rt.closed) throw rt.store.closedError('forget')
  const attributes = rt.keys.stringKeyAttributes
  let deleted = 0
  try {
    await Promise.all(
      indexKeys.map(async (indexKey) => {
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const members = await rt.store.call('invalidate', attributes, undefined, () => driver.smembers(indexKey))
          if (members.length === 0) return
          // Every member: only this cache's writes and its kit (a domain package's own keys, which
          // may live outside the prefix, such as the patient HASH) add to an index of its prefix.
          const fullKeys = members
          for (const fullKey of fullKeys) dropFlight(rt, fullKey)
          rt.l1?.invalidateKeys(fullKeys)
          for (let i = 0; i < fullKeys.length; i += FORGET_BATCH) {
            deleted += await fenceKeys(rt, fullKeys.slice(i, i + FORGET_BATCH), 'invalidate', attributes, undefined)
          }
          announce(rt, { keys: fullKeys })
          for (let i = 0; i < members.length; i += FORGET_BATCH) {
            const some = members.slice(i, i + FORGET_BATCH)
            await rt.store.call('invalidate', attributes, undefined, () => driver.srem(indexKey, some))
          }
        }
      }),
    )
  } finally {
    rt.stats.deletes += deleted
  }
  if (rt.events.active) rt.events.emit('delete', attributes, undefined, { operation: 'forget', count: deleted })
  return deleted
}
