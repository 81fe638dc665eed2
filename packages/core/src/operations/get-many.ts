import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key } from '../keys/define-key.js'
import { TimedEntry } from '../resilience/grace.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { l1Fallback, l1Lookup, recordL1Stale } from '../tiers/l1-read.js'
import { inInputOrder, resolveBatch, type BatchKey } from './batch-keys.js'
import { READ_FAILED, readMany } from './read-many.js'

/**
 * `cache.getMany`: the values of several keys, in their order, `undefined` for a miss. The
 * memory tier answers first; the rest is read with one MGET (one per hash slot on a cluster).
 * Each distinct key is read and counted once (a hit or a miss, as get() counts it), however
 * often it is given. A stale entry (past its TTL, within its grace) is a miss, as in get(); a
 * failed MGET makes its keys misses (counted), unless the memory tier still holds them within
 * their TTL.
 *
 * @throws InvalidKeyError when `keys` is not an array or holds something that is not a key; InvalidOptionsError with `wire: 'plain'` for a key asking for envelope metadata.
 * @example
 * ```ts
 * const [a, b] = await getMany(rt, [patientKey({ id: 1 }), patientKey({ id: 2 })])
 * ```
 */
export async function getMany(rt: CacheRuntime, keys: readonly (Key<unknown> | string)[]): Promise<unknown[]> {
  const batch = resolveBatch(rt, keys, 'getMany')
  const { unique } = batch
  if (rt.config.wire === 'plain') for (const target of unique) refuseEnvelopeUse(target.spec, undefined)
  if (!rt.config.enabled || rt.closed) {
    for (const target of unique) rt.recordMiss(target.attributes, target.spec, 'get')
    return inInputOrder(batch, [])
  }
  const values: unknown[] = new Array<unknown>(unique.length).fill(MISS)
  const unread: number[] = []
  const l1 = rt.l1
  for (let i = 0; i < unique.length; i++) {
    const target = unique[i] as BatchKey
    if (l1 !== undefined) {
      let value = l1Lookup(rt, target.fullKey, target.spec, target.attributes, 'get')
      if (value instanceof Promise) value = await value
      if (value !== MISS) {
        values[i] = value
        continue
      }
    }
    unread.push(i)
  }
  if (unread.length > 0) {
    const answers = await readMany(
      rt,
      unread.map((i) => unique[i] as BatchKey),
      undefined,
      l1?.mark(),
    )
    for (let j = 0; j < unread.length; j++) {
      const i = unread[j] as number
      values[i] = await answered(rt, unique[i] as BatchKey, answers[j])
    }
  }
  return inInputOrder(
    batch,
    values.map((value) => (value === MISS ? undefined : value)),
  )
}

/** One key's answer as get() gives it, counted: a fresh value, the memory tier's copy after a failed read, or MISS. */
async function answered(rt: CacheRuntime, target: BatchKey, answer: unknown): Promise<unknown> {
  let value = answer
  if (answer === READ_FAILED) {
    value = MISS
    if (rt.l1 !== undefined) {
      let held = l1Fallback(rt, target.fullKey, target.spec, rt.config.clock.now(), 'fresh')
      if (held instanceof Promise) held = await held
      if (held !== MISS) {
        recordL1Stale(rt, target.attributes, target.spec, 'get')
        return held
      }
    }
  } else if (answer instanceof TimedEntry) {
    value = rt.config.clock.now() < answer.freshUntil ? answer.value : MISS
  }
  if (value === MISS) rt.recordMiss(target.attributes, target.spec, 'get')
  else rt.recordHit(target.attributes, target.spec, 'get')
  return value
}
