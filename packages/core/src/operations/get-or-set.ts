import { readEntryNow } from './cache-read.js'
import { MISS, type CacheRuntime, type Flight } from '../store-calls/cache-runtime.js'
import type { ReadSink } from './cache-read.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { LabelAttributes } from '../observability/metrics.js'
import { TimedEntry } from '../resilience/grace.js'
import { LoadContext, runLoader, type Loader, type WriteOptions } from './loader-context.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { l1Fallback, l1Lookup, recordL1Stale } from '../tiers/l1-read.js'
import { loadOnMiss, mayRefreshEarly, maybeRefreshEarly, mayRevalidate, maybeRevalidate } from '../resilience/resilient-load.js'

export type { Loader, LoaderContext, WriteOptions } from './loader-context.js'

/**
 * Ends a flight unless an invalidation already replaced it. A plain function rather than a
 * closure made per call: a hit then allocates none (the miss path wraps it for loadOnMiss).
 */
function endFlight(rt: CacheRuntime, fullKey: string, flight: Flight): void {
  if (rt.flights.get(fullKey) === flight) rt.flights.delete(fullKey)
}

/**
 * `cache.getOrSet`: one flight per full key per process. The flight reads the entry, runs the
 * loader on a miss and writes the result. Callers arriving during a flight share its promise:
 * the same value, or the loader's very error object. Store failures never reach callers.
 *
 * @example
 * ```ts
 * const patient = await getOrSet(rt, patientKey({ id: 42 }), () => db.loadPatient(42), undefined)
 * ```
 */
export function getOrSet(
  rt: CacheRuntime,
  key: Key<unknown> | string,
  loader: Loader<unknown>,
  options: WriteOptions | undefined,
): Promise<unknown> {
  const keys = rt.keys
  const spec = keys.specOf(key)
  if (rt.config.wire === 'plain') {
    // On every call, hit or miss: a refused option must not pass on a warm cache and fail on a miss.
    try {
      refuseEnvelopeUse(spec, options)
    } catch (error) {
      return Promise.reject(error)
    }
  }
  if (!rt.config.enabled || rt.closed) {
    const attributes = keys.attributesOf(spec)
    rt.stats.misses++
    rt.metrics.miss(attributes)
    return runLoader(rt, loader, new LoadContext())
  }
  const fullKey = keys.fullKey(key)
  if (rt.l1 !== undefined) {
    const value = l1Lookup(rt, fullKey, spec, keys.attributesOf(spec), 'getOrSet')
    if (value instanceof Promise) return value.then((checked) => (checked === MISS ? fly(rt, key, fullKey, spec, loader, options) : checked))
    if (value !== MISS) return Promise.resolve(value)
  }
  return fly(rt, key, fullKey, spec, loader, options)
}

/** What a read that threw leaves for the flight (a store failure, already counted). */
const READ_FAILED: unique symbol = Symbol('cachette.readFailed')

/**
 * The store's part of getOrSet: joins the key's flight, or reads. A read whose answer is there
 * before the call returns (a memory driver's) answers a hit with no flight and no async function:
 * nobody could have joined it meanwhile. Otherwise the flight is registered before anything is
 * awaited, so callers arriving during the read join it too: a hot key under a burst costs one GET.
 */
function fly(rt: CacheRuntime, key: Key<unknown> | string, fullKey: string, spec: KeySpec | undefined, loader: Loader<unknown>, options: WriteOptions | undefined): Promise<unknown> {
  const existing = rt.flights.get(fullKey)
  if (existing !== undefined) return existing.promise
  const attributes = rt.keys.attributesOf(spec)
  const flight: MutableFlight = { promise: undefined as unknown as Promise<unknown>, skipWrite: false, observed: undefined, startedAt: undefined }
  let read: unknown
  try {
    read = readEntryNow(rt, fullKey, spec, attributes, 'get', flight, rt.l1?.mark())
  } catch {
    read = READ_FAILED
  }
  if (!(read instanceof Promise) && isHit(rt, read)) return Promise.resolve(serveHit(rt, read, flight, key, fullKey, spec, attributes, loader, options))
  rt.flights.set(fullKey, flight)
  // The flight only ends after an await, so never before its promise is assigned here.
  flight.promise = readThenLoad(rt, flight, read, key, fullKey, spec, attributes, loader, options)
  return flight.promise
}

type MutableFlight = { -readonly [K in keyof Flight]: Flight[K] } & ReadSink

/** Whether a read's answer is a value to serve now: not a miss, not a failed read, not a stale entry. */
function isHit(rt: CacheRuntime, cached: unknown): boolean {
  if (cached === MISS || cached === READ_FAILED) return false
  return !(cached instanceof TimedEntry) || rt.config.clock.now() < cached.freshUntil
}

/**
 * A hit's answer (see {@link isHit}), counted, with its background refresh started when the key
 * asks for one (revalidate, early refresh).
 */
function serveHit(
  rt: CacheRuntime,
  cached: unknown,
  flight: MutableFlight,
  key: Key<unknown> | string,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  loader: Loader<unknown>,
  options: WriteOptions | undefined,
): unknown {
  rt.recordHit(attributes, spec, 'getOrSet')
  // A plain entry is the hit path: nothing more to decide.
  if (!(cached instanceof TimedEntry)) {
    if (mayRevalidate(rt, spec, options)) maybeRevalidate(rt, { key, fullKey, spec, attributes, loader, options, observed: flight.observed, observedAt: flight.startedAt as number }, cached)
    return cached
  }
  if (mayRefreshEarly(rt, spec, options)) maybeRefreshEarly(rt, { key, fullKey, spec, attributes, loader, options, observed: flight.observed, observedAt: flight.startedAt as number }, cached)
  return cached.value
}

/**
 * A registered flight: waits for its read, answers a hit, else loads: past its TTL within its
 * grace period, the stale entry is refreshed and served if that fails; after a store failure, the
 * memory tier's copy within its grace, else the loader. A plain async function of its arguments
 * rather than a closure made per call.
 */
async function readThenLoad(
  rt: CacheRuntime,
  flight: MutableFlight,
  read: unknown,
  key: Key<unknown> | string,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  loader: Loader<unknown>,
  options: WriteOptions | undefined,
): Promise<unknown> {
  let cached: unknown = READ_FAILED
  if (read !== READ_FAILED) {
    try {
      cached = await read
    } catch {
      // Store failure, deadline or open circuit: already counted.
    }
  }
  if (isHit(rt, cached)) {
    // Ended before the refresh a hit may start, which may fly this key again.
    endFlight(rt, fullKey, flight)
    return serveHit(rt, cached, flight, key, fullKey, spec, attributes, loader, options)
  }
  const readOk = cached !== READ_FAILED
  if (!readOk) {
    // A read the open circuit skipped never started.
    flight.startedAt ??= performance.now()
    if (rt.l1 !== undefined) {
      let held = l1Fallback(rt, fullKey, spec, rt.config.clock.now(), 'grace')
      if (held instanceof Promise) held = await held
      if (held !== MISS) {
        recordL1Stale(rt, attributes, spec, 'getOrSet')
        endFlight(rt, fullKey, flight)
        return held
      }
    }
  }
  const startedAt = flight.startedAt as number
  return loadOnMiss(rt, {
    key,
    fullKey,
    spec,
    attributes,
    loader,
    options,
    observed: flight.observed,
    observedAt: startedAt,
    readOk,
    readElapsedMs: performance.now() - startedAt,
    stale: cached instanceof TimedEntry ? cached : undefined,
    finish: () => endFlight(rt, fullKey, flight),
  })
}
