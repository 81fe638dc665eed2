import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import { readBytes } from '../driver/driver-capabilities.js'
import { CircuitOpenError } from '../errors.js'
import type { Observed } from './fence.js'
import { decodeEntry } from './decode-entry.js'
import { TimedEntry } from '../resilience/grace.js'
import type { LabelAttributes } from '../observability/metrics.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { l1Fallback, l1Lookup, l1Value, recordL1Stale } from '../tiers/l1-read.js'

/** Thrown by a read the open circuit skipped; every caller of readEntry catches it, so one instance is enough. */
const CIRCUIT_SKIP = new CircuitOpenError('get')

/**
 * Reads one entry: GET, envelope (none with `wire: 'plain'`), decompression (a compressed entry
 * only), codec, schema, tag tokens. Returns
 * the value or MISS; an entry that records its freshness (grace, early refresh) comes back as a
 * {@link TimedEntry}. A
 * corrupted entry (bad envelope, codec failure, schema mismatch) is a MISS, is deleted in the
 * background and is counted; it never throws. A store failure throws the CacheError that
 * `rt.store.failed()` already counted and logged, so each caller decides how to degrade. A tombstone
 * (an invalidation's fence) is a MISS. `sink` (getOrSet) receives what the key held, for the fence.
 * With a memory tier, `l1Mark` (taken before the read) keeps a fresh entry there.
 *
 * @example
 * ```ts
 * const value = await readEntry(rt, 'identity:patient:42', spec, attributes, 'get')
 * if (value === MISS) ...
 * ```
 */
export async function readEntry(
  rt: CacheRuntime,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  operation: 'get' | 'has',
  sink?: ReadSink,
  l1Mark?: number,
): Promise<unknown> {
  return readEntryNow(rt, fullKey, spec, attributes, operation, sink, l1Mark)
}

/**
 * {@link readEntry} for the hit paths: the answer itself when it is there before the call returns
 * (a memory driver's entry that needs no wait), else a Promise of it. Throws (synchronously, or
 * through the Promise) what readEntry rejects with.
 *
 * @example
 * ```ts
 * const read = readEntryNow(rt, fullKey, spec, attributes, 'get')
 * const value = read instanceof Promise ? await read : read
 * ```
 */
export function readEntryNow(
  rt: CacheRuntime,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  operation: 'get' | 'has',
  sink?: ReadSink,
  l1Mark?: number,
): unknown {
  const store = rt.store
  const breaker = store.breaker
  if (breaker !== undefined && !breaker.allow()) {
    store.skipped(operation, attributes)
    throw CIRCUIT_SKIP
  }
  // The clock is read only for someone: the latency histogram, or getOrSet's fence (its sink).
  const timed = rt.metrics.timed
  const started = timed || sink !== undefined ? performance.now() : 0
  if (sink !== undefined) sink.startedAt = started
  const codec = spec?.codec ?? rt.config.codec
  const getNow = store.getNow
  if (getNow === undefined || codec.format === 'bytes') return fetchEntry(rt, fullKey, spec, attributes, operation, sink, l1Mark, started)
  let raw: string | null
  try {
    raw = getNow(fullKey)
  } catch (error) {
    throw store.failed(operation, attributes, spec, error, started)
  }
  breaker?.succeeded()
  if (timed) rt.metrics.latencyMs(attributes, operation, performance.now() - started)
  return decodeEntry(rt, fullKey, raw, spec, attributes, operation, sink, l1Mark)
}

/** The store call of a read through the driver's promise, under the deadline. */
async function fetchEntry(
  rt: CacheRuntime,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  operation: 'get' | 'has',
  sink: ReadSink | undefined,
  l1Mark: number | undefined,
  started: number,
): Promise<unknown> {
  const driver = rt.config.driver
  const store = rt.store
  const codec = spec?.codec ?? rt.config.codec
  let raw: DriverValue | null
  // Inline rather than store.call(): this is the hit path, and a closure per call is measurable.
  try {
    raw = await store.deadlines.run<DriverValue | null>(codec.format === 'bytes' ? readBytes(driver, fullKey) : driver.get(fullKey), operation)
  } catch (error) {
    throw store.failed(operation, attributes, spec, error, started)
  }
  store.breaker?.succeeded()
  if (rt.metrics.timed) rt.metrics.latencyMs(attributes, operation, performance.now() - started)
  return decodeEntry(rt, fullKey, raw, spec, attributes, operation, sink, l1Mark)
}

/** What a getOrSet read reports besides the value: what the key held (for the fence) and when the read started. */
export interface ReadSink {
  observed: Observed
  /** performance.now() when the store call started (set by readEntry). */
  startedAt?: number
}

/** The value of a read for get()/has(): a stale entry is a miss there (only getOrSet serves stale, on a loader failure). */
function freshValue(rt: CacheRuntime, read: unknown): unknown {
  if (!(read instanceof TimedEntry)) return read
  return rt.config.clock.now() < read.freshUntil ? read.value : MISS
}


/**
 * `cache.get`: the value, or undefined on a miss, a corrupted entry or a store failure (counted).
 *
 * @example
 * ```ts
 * const patient = await cache.get(patientKey({ id: 42 })) // Patient | undefined
 * ```
 */
export function getValue(rt: CacheRuntime, key: Key<unknown> | string): Promise<unknown> {
  const keys = rt.keys
  let spec: KeySpec | undefined
  let attributes: LabelAttributes
  let fullKey: string
  try {
    spec = keys.specOf(key)
    if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, undefined)
    attributes = keys.attributesOf(spec)
    if (!rt.config.enabled || rt.closed) {
      rt.recordMiss(attributes, spec, 'get')
      return Promise.resolve(undefined)
    }
    fullKey = keys.fullKey(key)
  } catch (error) {
    return Promise.reject(error)
  }
  const l1 = rt.l1
  let mark: number | undefined
  if (l1 !== undefined) {
    // A memory-tier hit takes no async function: it is answered here.
    const value = l1Lookup(rt, fullKey, spec, attributes, 'get')
    if (value instanceof Promise) {
      const checkedSpec = spec
      return value.then((checked) => (checked === MISS ? getFromStore(rt, fullKey, checkedSpec, attributes, l1.mark()) : checked))
    }
    if (value !== MISS) return Promise.resolve(value)
    mark = l1.mark()
  }
  return getFromStore(rt, fullKey, spec, attributes, mark)
}

/** get() past the memory tier: the store (no promise of its own when the answer is already there). */
function getFromStore(rt: CacheRuntime, fullKey: string, spec: KeySpec | undefined, attributes: LabelAttributes, mark: number | undefined): Promise<unknown> {
  let read: unknown
  try {
    read = readEntryNow(rt, fullKey, spec, attributes, 'get', undefined, mark)
  } catch {
    return getAfterFailure(rt, fullKey, spec, attributes)
  }
  if (read instanceof Promise) {
    return read.then(
      (value) => answerGet(rt, attributes, spec, value),
      () => getAfterFailure(rt, fullKey, spec, attributes),
    )
  }
  return Promise.resolve(answerGet(rt, attributes, spec, read))
}

/** Counts get()'s answer from the store and returns it (undefined for a miss or a stale entry). */
function answerGet(rt: CacheRuntime, attributes: LabelAttributes, spec: KeySpec | undefined, read: unknown): unknown {
  const value = freshValue(rt, read)
  if (value === MISS) {
    rt.recordMiss(attributes, spec, 'get')
    return undefined
  }
  rt.recordHit(attributes, spec, 'get')
  return value
}

/**
 * The store failed (already counted and logged by rt.store.failed()): a miss, unless the memory
 * tier still holds the entry within its TTL.
 */
async function getAfterFailure(rt: CacheRuntime, fullKey: string, spec: KeySpec | undefined, attributes: LabelAttributes): Promise<unknown> {
  if (rt.l1 !== undefined) {
    let stale = l1Fallback(rt, fullKey, spec, rt.config.clock.now(), 'fresh')
    if (stale instanceof Promise) stale = await stale
    if (stale !== MISS) {
      recordL1Stale(rt, attributes, spec, 'get')
      return stale
    }
  }
  rt.recordMiss(attributes, spec, 'get')
  return undefined
}

/**
 * `cache.has`: whether get() would hit now (reads and checks the entry; counts no hit or miss).
 *
 * @example
 * ```ts
 * if (await cache.has(patientKey({ id: 42 }))) ...
 * ```
 */
export async function hasValue(rt: CacheRuntime, key: Key<unknown> | string): Promise<boolean> {
  const keys = rt.keys
  const spec = keys.specOf(key)
  if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, undefined)
  if (!rt.config.enabled || rt.closed) return false
  const fullKey = keys.fullKey(key)
  const entry = rt.l1?.hit(fullKey, rt.config.clock.now())
  if (entry !== undefined) {
    let value = l1Value(rt, fullKey, entry, spec)
    if (value instanceof Promise) value = await value
    if (value !== MISS) return true
  }
  try {
    return freshValue(rt, await readEntry(rt, fullKey, spec, keys.attributesOf(spec), 'has')) !== MISS
  } catch {
    return false
  }
}
