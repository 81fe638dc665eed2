import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import { readBytes } from '../driver/driver-capabilities.js'
import type { EntryMeta } from '../encoding/envelope.js'
import { CircuitOpenError } from '../errors.js'
import { isTombstone, type Observed } from './fence.js'
import { TimedEntry } from '../resilience/grace.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { StandardSchemaV1Result } from '../keys/standard-schema.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { decodeBytesEntry, decodeStringEntry } from '../encoding/wire-format.js'
import { inflateBytes, inflateText } from '../encoding/payload-compression.js'
import { keepInL1 } from '../tiers/tiers.js'
import { l1Fallback, l1Value, recordL1Stale } from '../tiers/l1-read.js'

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
  sink?: { observed: Observed },
  l1Mark?: number,
): Promise<unknown> {
  const driver = rt.config.driver
  const codec = spec?.codec ?? rt.config.codec
  const store = rt.store
  const breaker = store.breaker
  if (breaker !== undefined && !breaker.allow()) {
    store.skipped(operation, attributes)
    throw CIRCUIT_SKIP
  }
  const started = performance.now()
  let raw: DriverValue | null
  // Inline rather than store.call(): this is the hit path, and a closure per call is measurable.
  try {
    raw = await store.deadlines.run<DriverValue | null>(codec.format === 'bytes' ? readBytes(driver, fullKey) : driver.get(fullKey), operation)
  } catch (error) {
    throw store.failed(operation, attributes, spec, error, started)
  }
  breaker?.succeeded()
  rt.metrics.latencyMs(attributes, operation, performance.now() - started)
  return decodeEntry(rt, fullKey, raw, spec, attributes, operation, sink, l1Mark)
}

/**
 * The second half of {@link readEntry}, for a value already fetched (one of an MGET's answers):
 * envelope, decompression, codec, schema, tag tokens, the invalidation queue's shadow, the memory
 * tier. Returns the value, a {@link TimedEntry} or MISS; never throws for a bad entry (counted,
 * deleted in the background), throws the counted CacheError of a tag-token read that failed.
 *
 * @example
 * ```ts
 * const value = await decodeEntry(rt, fullKey, raws[i], spec, attributes, 'get', undefined, mark)
 * ```
 */
export async function decodeEntry(
  rt: CacheRuntime,
  fullKey: string,
  raw: DriverValue | null,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  operation: 'get' | 'has',
  sink?: { observed: Observed },
  l1Mark?: number,
): Promise<unknown> {
  const codec = spec?.codec ?? rt.config.codec
  if (sink !== undefined) sink.observed = raw
  if (raw === null || isTombstone(raw)) return MISS

  let value: unknown
  let meta: EntryMeta | undefined
  // The codec's payload (uncompressed), for the memory tier.
  let payload: DriverValue = raw
  let sharedValue: unknown = MISS
  // shareValues: the value decoded earlier from this very text, by this codec and schema.
  const shared = rt.shared !== undefined && codec.format === 'string' ? rt.shared.get(fullKey, raw as string, codec, spec?.schema) : undefined
  if (shared !== undefined) {
    value = shared.value
    meta = shared.meta
    sharedValue = value
  } else {
    try {
      // wire: 'plain' hands the whole value to the codec (a tombstone was already a miss above),
      // unless compression is on and the value starts with gzip's magic.
      // An entry that is not compressed takes no await and no allocation more than before.
      const plainCompressed = rt.config.compression !== undefined
      if (codec.format === 'bytes') {
        const entry = decodeBytesEntry(rt.config.wire, raw as Uint8Array, plainCompressed)
        meta = entry.meta
        if (meta?.z === undefined) value = codec.decode((payload = entry.payload))
        else {
          const inflated = inflateBytes(meta, entry.payload)
          value = codec.decode((payload = inflated instanceof Promise ? await inflated : inflated))
        }
      } else {
        const entry = decodeStringEntry(rt.config.wire, raw as string, plainCompressed)
        meta = entry.meta
        if (meta?.z === undefined) value = codec.decode((payload = entry.payload))
        else {
          const inflated = inflateText(meta, entry.payload)
          value = codec.decode((payload = inflated instanceof Promise ? await inflated : inflated))
        }
      }
      if (spec?.schema !== undefined) {
        let result = spec.schema['~standard'].validate(value) as StandardSchemaV1Result<unknown> | Promise<StandardSchemaV1Result<unknown>>
        if (result instanceof Promise) result = await result
        if (result.issues !== undefined) return corrupted(rt, fullKey, raw, spec, attributes, operation, sink !== undefined && rt.config.fenceMs !== undefined)
        value = result.value
      }
      // Inside the try: a value that cannot be frozen (a codec's exotic object) is an undecodable
      // entry like any other, not an error that getValue() would take for a counted store failure.
      if (rt.shared !== undefined && codec.format === 'string') value = sharedValue = rt.shared.keep(fullKey, raw as string, codec, spec?.schema, value, meta)
    } catch {
      // Neither the error nor its message is kept: a codec error may quote the payload.
      return corrupted(rt, fullKey, raw, spec, attributes, operation, sink !== undefined && rt.config.fenceMs !== undefined)
    }
  }

  // An invalidation of this entry failed and waits in the queue: the entry may be stale data.
  const queue = rt.queue
  if (queue !== undefined && queue.size > 0 && queue.shadows(fullKey, meta?.t)) return MISS
  const tagState = meta?.t === undefined ? 'fresh' : await rt.tagTokens.verify(meta.t, attributes, spec)
  // Soft-expired by expireTags: stale at once, for grace (getOrSet's loader refreshes it).
  if (tagState === 'stale') return new TimedEntry(value, 0, meta?.d ?? 0)
  if (tagState === 'miss') {
    rt.stats.tagMisses++
    // Tokens never come back, so the entry is dead: reclaim it now rather than at its TTL. Not in
    // getOrSet: its fenced write replaces exactly this value, which a delete would make it miss.
    if (sink === undefined || rt.config.fenceMs === undefined) rt.store.deleteInBackground(fullKey, raw, operation, attributes, spec)
    return MISS
  }
  if (l1Mark !== undefined) keepInL1(rt, fullKey, spec, payload, meta, l1Mark, undefined, sharedValue)
  if (meta?.f !== undefined) return new TimedEntry(value, meta.f, meta.d ?? 0)
  return value
}

/** The value of a read for get()/has(): a stale entry is a miss there (only getOrSet serves stale, on a loader failure). */
function freshValue(rt: CacheRuntime, read: unknown): unknown {
  if (!(read instanceof TimedEntry)) return read
  return rt.config.clock.now() < read.freshUntil ? read.value : MISS
}

function corrupted(rt: CacheRuntime, fullKey: string, raw: DriverValue, spec: KeySpec | undefined, attributes: LabelAttributes, operation: 'get' | 'has', replaced: boolean): typeof MISS {
  rt.stats.decodeFailures++
  rt.metrics.error(attributes, operation, 'DECODE_FAILED')
  rt.store.warn('a cached entry could not be decoded or failed its schema; it was treated as a miss and deleted', operation, 'DECODE_FAILED', attributes, spec)
  // getOrSet's fenced write replaces it (a delete now would make that write miss it).
  if (!replaced) rt.store.deleteInBackground(fullKey, raw, operation, attributes, spec)
  return MISS
}

/**
 * `cache.get`: the value, or undefined on a miss, a corrupted entry or a store failure (counted).
 *
 * @example
 * ```ts
 * const patient = await cache.get(patientKey({ id: 42 })) // Patient | undefined
 * ```
 */
export async function getValue(rt: CacheRuntime, key: Key<unknown> | string): Promise<unknown> {
  const keys = rt.keys
  const spec = keys.specOf(key)
  if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, undefined)
  const attributes = keys.attributesOf(spec)
  if (!rt.config.enabled || rt.closed) {
    rt.recordMiss(attributes, spec, 'get')
    return undefined
  }
  const fullKey = keys.fullKey(key)
  const l1 = rt.l1
  let mark: number | undefined
  if (l1 !== undefined) {
    const entry = l1.hit(fullKey, rt.config.clock.now())
    if (entry !== undefined) {
      let value = l1Value(rt, fullKey, entry, spec)
      if (value instanceof Promise) value = await value
      if (value !== MISS) {
        rt.recordL1Hit(attributes, spec, 'get')
        return value
      }
    }
    rt.stats.l1Misses++
    mark = l1.mark()
  }
  let value: unknown
  try {
    value = freshValue(rt, await readEntry(rt, fullKey, spec, attributes, 'get', undefined, mark))
  } catch {
    // Already counted and logged by rt.store.failed(): a store failure reads as a miss, unless
    // the memory tier still holds the entry within its TTL.
    value = MISS
    if (l1 !== undefined) {
      let stale = l1Fallback(rt, fullKey, spec, rt.config.clock.now(), 'fresh')
      if (stale instanceof Promise) stale = await stale
      if (stale !== MISS) {
        recordL1Stale(rt, attributes, spec, 'get')
        return stale
      }
    }
  }
  if (value === MISS) {
    rt.recordMiss(attributes, spec, 'get')
    return undefined
  }
  rt.recordHit(attributes, spec, 'get')
  return value
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
