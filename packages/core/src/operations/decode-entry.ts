import { openEntry } from '../encoding/sealed-entry.js'
import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import type { EntryMeta } from '../encoding/envelope.js'
import { isTombstone, type Observed } from './fence.js'
import type { TagState } from './tag-tokens.js'
import { TimedEntry } from '../resilience/grace.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { StandardSchemaV1Result } from '../keys/standard-schema.js'
import { decodeBytesEntry, decodeStringEntry } from '../encoding/wire-format.js'
import { inflateBytes, inflateText } from '../encoding/payload-compression.js'
import { keepInL1 } from '../tiers/tiers.js'
import { OpenError } from '../encoding/sealer.js'
import { resealLater } from './reencrypt.js'

/*
 * What a stored value becomes: envelope, decryption, decompression, codec, schema, shared values,
 * the invalidation queue's shadow, tag tokens, the memory tier. Synchronous unless a step must
 * wait, so the hit path of a plain entry takes no promise.
 */

const textDecoder = new TextDecoder()

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
 * The second half of `readEntry` (cache-read.ts), for a value already fetched (one of an MGET's answers):
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
    plaintext = await openEntry(sealer, d.fullKey, d.raw, meta, packed)
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

function corrupted(d: Decoding): typeof MISS {
  const { rt, attributes, operation, spec } = d
  rt.stats.decodeFailures++
  rt.metrics.error(attributes, operation, 'DECODE_FAILED')
  rt.store.warn('a cached entry could not be decoded or failed its schema; it was treated as a miss and deleted', operation, 'DECODE_FAILED', attributes, spec)
  // getOrSet's fenced write replaces it (a delete now would make that write miss it).
  if (!d.replaced) rt.store.deleteInBackground(d.fullKey, d.raw, operation, attributes, spec)
  return MISS
}
