import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import { readBytes } from '../driver/driver-capabilities.js'
import type { EntryMeta } from '../encoding/envelope.js'
import { CircuitOpenError } from '../errors.js'
import { isTombstone, type Observed } from './fence.js'
import type { TagState } from './tag-tokens.js'
import { TimedEntry } from '../resilience/grace.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { StandardSchemaV1Result } from '../keys/standard-schema.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { decodeBytesEntry, decodeStringEntry } from '../encoding/wire-format.js'
import { inflateBytes, inflateText } from '../encoding/payload-compression.js'
import { keepInL1 } from '../tiers/tiers.js'
import { associatedData, OpenError } from '../encoding/sealer.js'
import { storedMetaJson } from '../encoding/envelope.js'
import { decodeBase64 } from '../encoding/base64.js'
import { resealLater } from './reencrypt.js'

const textDecoder = new TextDecoder()
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

/** One stored value being decoded: what every step of {@link decodeEntry} needs. */
interface Decoding {
  readonly rt: CacheRuntime
  readonly fullKey: string
  readonly raw: DriverValue
  readonly spec: KeySpec | undefined
  readonly attributes: LabelAttributes
  readonly operation: 'get' | 'has'
  /** Set for getOrSet: its fenced write replaces a bad entry, so nothing is deleted in the background. */
  readonly replaced: boolean
  readonly l1Mark: number | undefined
}

/**
 * The second half of {@link readEntry}, for a value already fetched (one of an MGET's answers):
 * envelope, decompression, codec, schema, tag tokens, the invalidation queue's shadow, the memory
 * tier. Returns the value, a {@link TimedEntry} or MISS, synchronously unless a step has to wait
 * (a compressed payload, an asynchronous schema, tag tokens to read): the hit path of a plain
 * entry takes no promise. Never fails for a bad entry (counted, deleted in the background);
 * rejects with the counted CacheError of a tag-token read that failed.
 *
 * @example
 * ```ts
 * const value = await decodeEntry(rt, fullKey, raws[i], spec, attributes, 'get', undefined, mark)
 * ```
 */
export function decodeEntry(
  rt: CacheRuntime,
  fullKey: string,
  raw: DriverValue | null,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  operation: 'get' | 'has',
  sink?: { observed: Observed },
  l1Mark?: number,
): unknown {
  if (sink !== undefined) sink.observed = raw
  if (raw === null || isTombstone(raw)) return MISS
  const d: Decoding = { rt, fullKey, raw, spec, attributes, operation, replaced: sink !== undefined && rt.config.fenceMs !== undefined, l1Mark }
  const codec = spec?.codec ?? rt.config.codec
  // shareValues: the value decoded earlier from this very text, by this codec and schema.
  const shared = rt.shared !== undefined && codec.format === 'string' ? rt.shared.get(fullKey, raw as string, codec, spec?.schema) : undefined
  if (shared !== undefined) return admit(d, shared.value, shared.meta, raw, shared.value)
  let meta: EntryMeta | undefined
  let packed: DriverValue
  try {
    // wire: 'plain' hands the whole value to the codec (a tombstone was already a miss above),
    // unless compression is on and the value starts with gzip's magic.
    const plainCompressed = rt.config.compression !== undefined
    const entry = codec.format === 'bytes' ? decodeBytesEntry(rt.config.wire, raw as Uint8Array, plainCompressed) : decodeStringEntry(rt.config.wire, raw as string, plainCompressed)
    meta = entry.meta
    packed = entry.payload
  } catch {
    return corrupted(d)
  }
  if (meta?.k !== undefined) return openSealed(d, meta, packed)
  if (meta?.z === undefined) return decodePayload(d, meta, packed)
  // Only a compressed entry waits here.
  const inflated = (async () => (typeof packed === 'string' ? inflateText(meta, packed) : inflateBytes(meta, packed)))()
  return inflated.then(
    (payload) => decodePayload(d, meta, payload),
    () => corrupted(d),
  )
}

/**
 * An encrypted entry (`@c3`): opened with the key it names, then read as the entry it wraps
 * (decompressed when its plaintext is compressed). One that cannot be opened (a key this cache
 * lacks, another store key, a changed byte) is a miss, counted, and left in place: another process
 * may hold the key. One sealed under an old key is rewritten under the current one in the background.
 */
async function openSealed(d: Decoding, meta: EntryMeta, packed: DriverValue): Promise<unknown> {
  const rt = d.rt
  const sealer = rt.config.sealer
  let plaintext: Uint8Array
  try {
    if (sealer === undefined) throw new OpenError('unknown-key')
    plaintext = await sealer.open(associatedData(d.fullKey, storedMetaJson(d.raw)), meta.k as string, meta.i as string, typeof packed === 'string' ? decodeBase64(packed) : packed)
  } catch (error) {
    rt.stats.decryptFailures++
    const reason = error instanceof OpenError ? error.reason : 'failed'
    rt.metrics.error(d.attributes, d.operation, 'DECRYPT_FAILED')
    rt.store.warn(reason === 'unknown-key' ? 'an encrypted entry names a key this cache does not have; it was treated as a miss' : 'an encrypted entry failed authentication (moved, altered or sealed with another key); it was treated as a miss', d.operation, 'DECRYPT_FAILED', d.attributes, d.spec)
    return MISS
  }
  if (sealer.current !== meta.k) resealLater(rt, d.fullKey, d.raw, meta, plaintext)
  const payload: DriverValue = typeof packed === 'string' ? textDecoder.decode(plaintext) : plaintext
  if (meta.z === undefined) return decodePayload(d, meta, payload)
  try {
    const inflated = typeof payload === 'string' ? inflateText(meta, payload) : inflateBytes(meta, payload)
    return decodePayload(d, meta, inflated instanceof Promise ? await inflated : inflated)
  } catch {
    return corrupted(d)
  }
}

/** Codec, then schema (which may be asynchronous). Neither error nor message is kept: a codec error may quote the payload. */
function decodePayload(d: Decoding, meta: EntryMeta | undefined, payload: DriverValue): unknown {
  const codec = d.spec?.codec ?? d.rt.config.codec
  let value: unknown
  let result: StandardSchemaV1Result<unknown> | Promise<StandardSchemaV1Result<unknown>> | undefined
  try {
    value = codec.decode(payload as never)
    if (d.spec?.schema !== undefined) result = d.spec.schema['~standard'].validate(value) as typeof result
  } catch {
    return corrupted(d)
  }
  if (result === undefined) return share(d, value, meta, payload)
  if (result instanceof Promise) {
    return result.then(
      (settled) => (settled.issues === undefined ? share(d, settled.value, meta, payload) : corrupted(d)),
      () => corrupted(d),
    )
  }
  return result.issues === undefined ? share(d, result.value, meta, payload) : corrupted(d)
}

/** Keeps the decoded value for later hits (`shareValues`): a value that cannot be frozen is an undecodable entry like any other. */
function share(d: Decoding, value: unknown, meta: EntryMeta | undefined, payload: DriverValue): unknown {
  const rt = d.rt
  const codec = d.spec?.codec ?? rt.config.codec
  if (rt.shared === undefined || codec.format !== 'string') return admit(d, value, meta, payload, MISS)
  let kept: unknown
  try {
    kept = rt.shared.keep(d.fullKey, d.raw as string, codec, d.spec?.schema, value, meta)
  } catch {
    return corrupted(d)
  }
  return admit(d, kept, meta, payload, kept)
}

/** The checks a decoded entry must still pass: the invalidation queue's shadow, then its tags' tokens. */
function admit(d: Decoding, value: unknown, meta: EntryMeta | undefined, payload: DriverValue, sharedValue: unknown): unknown {
  const queue = d.rt.queue
  // An invalidation of this entry failed and waits in the queue: the entry may be stale data.
  if (queue !== undefined && queue.size > 0 && queue.shadows(d.fullKey, meta?.t)) return MISS
  if (meta?.t === undefined) return settle(d, 'fresh', value, meta, payload, sharedValue)
  return d.rt.tagTokens.verify(meta.t, d.attributes, d.spec).then((state) => settle(d, state, value, meta, payload, sharedValue))
}

function settle(d: Decoding, tagState: TagState, value: unknown, meta: EntryMeta | undefined, payload: DriverValue, sharedValue: unknown): unknown {
  const rt = d.rt
  // Soft-expired by expireTags: stale at once, for grace (getOrSet's loader refreshes it).
  if (tagState === 'stale') return new TimedEntry(value, 0, meta?.d ?? 0)
  if (tagState === 'miss') {
    rt.stats.tagMisses++
    // Tokens never come back, so the entry is dead: reclaim it now rather than at its TTL. Not in
    // getOrSet: its fenced write replaces exactly this value, which a delete would make it miss.
    if (!d.replaced) rt.store.deleteInBackground(d.fullKey, d.raw, d.operation, d.attributes, d.spec)
    return MISS
  }
  if (d.l1Mark !== undefined) keepInL1(rt, d.fullKey, d.spec, payload, meta, d.l1Mark, undefined, sharedValue)
  if (meta?.f !== undefined) return new TimedEntry(value, meta.f, meta.d ?? 0)
  return value
}

/** The value of a read for get()/has(): a stale entry is a miss there (only getOrSet serves stale, on a loader failure). */
function freshValue(rt: CacheRuntime, read: unknown): unknown {
  if (!(read instanceof TimedEntry)) return read
  return rt.config.clock.now() < read.freshUntil ? read.value : MISS
}

function corrupted(d: Decoding): typeof MISS {
  const { rt, attributes, operation, spec } = d
  rt.stats.decodeFailures++
  rt.metrics.error(attributes, operation, 'DECODE_FAILED')
  rt.store.warn('a cached entry could not be decoded or failed its schema; it was treated as a miss and deleted', operation, 'DECODE_FAILED', attributes, spec)
  // getOrSet's fenced write replaces it (a delete now would make that write miss it).
  if (!d.replaced) rt.store.deleteInBackground(d.fullKey, d.raw, operation, attributes, spec)
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
    const entry = l1.hit(fullKey, rt.config.clock.now())
    if (entry !== undefined) {
      const value = l1Value(rt, fullKey, entry, spec)
      if (value instanceof Promise) {
        const checkedSpec = spec
        return value.then((checked) => (checked === MISS ? getFromStore(rt, fullKey, checkedSpec, attributes, l1.mark()) : l1GetHit(rt, attributes, checkedSpec, checked)))
      }
      if (value !== MISS) return Promise.resolve(l1GetHit(rt, attributes, spec, value))
    }
    mark = l1.mark()
  }
  return getFromStore(rt, fullKey, spec, attributes, mark)
}

function l1GetHit(rt: CacheRuntime, attributes: LabelAttributes, spec: KeySpec | undefined, value: unknown): unknown {
  rt.recordL1Hit(attributes, spec, 'get')
  return value
}

/** get() past the memory tier: the store (no promise of its own when the answer is already there). */
function getFromStore(rt: CacheRuntime, fullKey: string, spec: KeySpec | undefined, attributes: LabelAttributes, mark: number | undefined): Promise<unknown> {
  if (rt.l1 !== undefined) rt.stats.l1Misses++
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
