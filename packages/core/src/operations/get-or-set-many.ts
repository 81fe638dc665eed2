import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key } from '../keys/define-key.js'
import { InvalidOptionsError } from '../errors.js'
import { TimedEntry } from '../resilience/grace.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { l1Fallback, l1Lookup, recordL1Stale } from '../tiers/l1-read.js'
import { inInputOrder, resolveBatch, type BatchKey } from './batch-keys.js'
import { READ_FAILED, readMany } from './read-many.js'
import { endBatchFlight, startBatchFlight, type BatchFlight } from './batch-flights.js'
import { loadMissing, type MissingKey } from './load-many.js'
import type { WriteOptions } from './loader-context.js'
import { delay } from '../store-calls/deadline.js'

/** `cache.getOrSetMany`'s loader: the values of the missing keys, in their order (`undefined`: none, not cached). */
export type ManyLoader<T> = (missing: readonly (Key<T> | string)[]) => Promise<readonly (T | undefined)[]> | readonly (T | undefined)[]

/**
 * `cache.getOrSetMany`: the values of several keys, in their order; the missing ones come from
 * ONE `loadMany` call (given only them, deduplicated, in input order) and are stored for next time.
 *
 * 1. The memory tier answers first. A key with a getOrSet flight in progress joins it (never
 *    loaded twice); for each other key a flight is registered, so a getOrSet of it arriving
 *    meanwhile joins this call instead.
 * 2. The rest is read with one MGET (one per hash slot on a cluster). A stale entry (within its
 *    grace) is loaded with the misses; a failed MGET makes its keys misses (the memory tier's copy
 *    within its grace is served if there is one).
 * 3. `loadMany` runs once; an array of another length rejects with an InvalidOptionsError. A loader
 *    error rejects the call (and the flights joined meanwhile) with that very error, and nothing is cached.
 * 4. Each loaded value (not `undefined`) is written as getOrSet writes (fenced), in parallel, unless
 *    an invalidation dropped its flight meanwhile; a write failure never fails the call.
 *
 * Not applied per key, unlike getOrSet: the distributed lock, loader timeouts, stale-if-error and
 * stale-while-revalidate, early refresh and revalidation (a call's `grace` still times the entries written).
 *
 * @throws InvalidKeyError for keys that are not an array of keys; InvalidOptionsError when `loadMany` is not a function, or (`wire: 'plain'`) for refused envelope options.
 * @example
 * ```ts
 * const patients = await getOrSetMany(rt, ids.map((id) => patientKey({ id })), (missing) => db.loadPatients(missing), undefined)
 * ```
 */
export async function getOrSetMany(rt: CacheRuntime, keys: readonly (Key<unknown> | string)[], loadMany: ManyLoader<unknown>, options: WriteOptions | undefined): Promise<unknown[]> {
  if (typeof loadMany !== 'function') throw new InvalidOptionsError('[@cachette/core] getOrSetMany expects loadMany to be a function')
  const batch = resolveBatch(rt, keys, 'getOrSetMany')
  const { unique } = batch
  if (rt.config.wire === 'plain') for (const target of unique) refuseEnvelopeUse(target.spec, options)
  if (unique.length === 0) return []
  if (!rt.config.enabled || rt.closed) {
    for (const target of unique) {
      rt.stats.misses++
      rt.metrics.miss(target.attributes)
    }
    const missing = unique.map((target) => ({ target, flight: undefined }))
    return inInputOrder(batch, (await loadMissing(rt, missing, loadMany, options, undefined)).values)
  }

  const values: unknown[] = new Array<unknown>(unique.length).fill(MISS)
  const joined: Promise<void>[] = []
  const own: number[] = []
  const flights: BatchFlight[] = []
  const l1 = rt.l1
  for (let i = 0; i < unique.length; i++) {
    const target = unique[i] as BatchKey
    if (l1 !== undefined) {
      let value = l1Lookup(rt, target.fullKey, target.spec, target.attributes, 'getOrSet')
      if (value instanceof Promise) value = await value
      if (value !== MISS) {
        values[i] = value
        continue
      }
    }
    const existing = rt.flights.get(target.fullKey)
    if (existing !== undefined) {
      joined.push(existing.promise.then((value) => void (values[i] = value)))
      continue
    }
    own.push(i)
    flights.push(startBatchFlight(rt, target.fullKey))
  }
  // Waited for after this call's own work; a failure there must not go unhandled meanwhile.
  const others = Promise.all(joined)
  others.catch(() => undefined)
  if (own.length > 0) {
    try {
      await readAndLoad(rt, unique, own, flights, values, loadMany, options)
    } catch (error) {
      for (const flight of flights) {
        flight.fail(error)
        endBatchFlight(rt, flight)
      }
      throw error
    }
  }
  await others
  return inInputOrder(batch, values)
}

/** Steps 2 to 4 for the keys with a flight of this call: the read, then the load of what it missed. */
async function readAndLoad(
  rt: CacheRuntime,
  unique: readonly BatchKey[],
  own: readonly number[],
  flights: readonly BatchFlight[],
  values: unknown[],
  loadMany: ManyLoader<unknown>,
  options: WriteOptions | undefined,
): Promise<void> {
  const readStarted = performance.now()
  const answers = await readMany(
    rt,
    own.map((i) => unique[i] as BatchKey),
    flights,
    rt.l1?.mark(),
  )
  const readElapsedMs = performance.now() - readStarted
  const missing: MissingKey[] = []
  const missingAt: number[] = []
  let readOk = true
  for (let j = 0; j < own.length; j++) {
    const i = own[j] as number
    const target = unique[i] as BatchKey
    const flight = flights[j] as BatchFlight
    const answer = answers[j]
    if (answer === READ_FAILED) {
      readOk = false
      const held = await heldInL1(rt, target)
      if (held !== MISS) {
        recordL1Stale(rt, target.attributes, target.spec, 'getOrSet')
        settle(rt, flight, (values[i] = held))
        continue
      }
    } else if (answer !== MISS && !(answer instanceof TimedEntry && rt.config.clock.now() >= answer.freshUntil)) {
      rt.recordHit(target.attributes, target.spec, 'getOrSet')
      settle(rt, flight, (values[i] = answer instanceof TimedEntry ? answer.value : answer))
      continue
    }
    rt.recordMiss(target.attributes, target.spec, 'getOrSet')
    missing.push({ target, flight })
    missingAt.push(i)
  }
  if (missing.length === 0) return
  const { values: loaded, stored } = await loadMissing(rt, missing, loadMany, options, { since: readStarted })
  for (let k = 0; k < missing.length; k++) values[missingAt[k] as number] = loaded[k]
  // As getOrSet: wait for the writes only while the read-and-write budget (one deadline) lasts,
  // and not at all after a failed read.
  if (readOk && stored.length > 0) {
    const budgetMs = rt.config.deadlineMs - readElapsedMs
    if (budgetMs > 0) {
      const all = Promise.all(stored)
      await Promise.race([all, delay(budgetMs, all)])
    }
  }
}

/** Settles a flight with its value and ends it. */
function settle(rt: CacheRuntime, flight: BatchFlight, value: unknown): void {
  flight.settle(value)
  endBatchFlight(rt, flight)
}

/** With the store unreachable: the memory tier's copy within its grace, or MISS. */
async function heldInL1(rt: CacheRuntime, target: BatchKey): Promise<unknown> {
  if (rt.l1 === undefined) return MISS
  return l1Fallback(rt, target.fullKey, target.spec, rt.config.clock.now(), 'grace')
}
