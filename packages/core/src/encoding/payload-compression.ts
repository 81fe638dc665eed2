import { decodeBase64, encodeBase64 } from './base64.js'
import { compressorFor, type CompressionAlgorithm, type Compressor } from './compressors.js'
import { EnvelopeError, MAX_PAYLOAD_BYTES, type EntryMeta } from './envelope.js'
import type { EncodedPayload } from './wire-format.js'
import { utf8Length } from '../memory/entry.js'

/**
 * Compression of a codec's payload (`createCache({ compression })`, docs/wire-format.md):
 *
 * - What is compressed: the payload, once the codec made it, when it is at least the threshold
 *   in bytes (UTF-8 bytes for a text codec). A payload that does not get smaller is stored as it is.
 * - How it is stored: a bytes codec's compressed payload as bytes; a text codec's as base64 text.
 *   A text codec's read is a GET returning text, chosen before the value is seen, and must stay
 *   one GET with nothing more for entries that are not compressed; raw bytes would come back
 *   mangled by that GET (a second GET per compressed hit), the fence compares a text value to
 *   replace a stale entry, and `shareValues` keys on the text. Base64 costs a third more than raw
 *   bytes, after a 10-fold compression.
 * - How a reader knows: in the envelope, version `@c2` and the metadata `z` (algorithm), `n`
 *   (payload bytes before compression: the decompressed size must be exactly that, which also
 *   caps what a damaged entry can make a reader allocate) and `e: 'base64'` for text. In plain
 *   mode, gzip's own magic bytes (base64 `H4sI` for text).
 */

/** The compression of a cache, resolved from `createCache({ compression })`. */
export interface ResolvedCompression {
  readonly algorithm: CompressionAlgorithm
  /** Payloads of at least this many bytes are compressed. */
  readonly thresholdBytes: number
  readonly compressor: Compressor
}

/** A payload compressed for storage, what the envelope records about it, and the bytes it saved. */
export interface CompressedPayload {
  readonly encoded: EncodedPayload
  /** The envelope's compression fields (not written in plain mode, where gzip's magic says it all). */
  readonly meta: Required<Pick<EntryMeta, 'z' | 'n'>> & Pick<EntryMeta, 'e'>
  /** Payload bytes minus stored compressed bytes (the header's extra ~40 bytes not counted). */
  readonly savedBytes: number
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Whether `encoded` is at least `thresholdBytes` long in bytes. Allocates nothing: a text payload
 * is measured by its UTF-16 length when that settles it (each unit is 1 to 3 UTF-8 bytes), and
 * counted only in between.
 *
 * @example
 * ```ts
 * reachesThreshold({ format: 'string', payload: '{"id":42}' }, 1024) // false
 * ```
 */
export function reachesThreshold(encoded: EncodedPayload, thresholdBytes: number): boolean {
  if (encoded.format === 'bytes') return encoded.payload.byteLength >= thresholdBytes
  const units = encoded.payload.length
  if (units >= thresholdBytes) return true
  if (units * 3 < thresholdBytes) return false
  return utf8Length(encoded.payload) >= thresholdBytes
}

/**
 * Compresses a payload for storage; undefined when the result would not be smaller.
 *
 * @example
 * ```ts
 * const packed = await compressPayload(rt.config.compression, { format: 'string', payload: json })
 * packed?.encoded // { format: 'string', payload: 'H4sIAAAA...' }
 * ```
 */
export async function compressPayload(compression: ResolvedCompression, encoded: EncodedPayload): Promise<CompressedPayload | undefined> {
  const algorithm = compression.algorithm
  if (encoded.format === 'bytes') {
    const packed = await compression.compressor.compress(encoded.payload)
    const size = encoded.payload.byteLength
    if (packed.byteLength >= size) return undefined
    return { encoded: { format: 'bytes', payload: packed }, meta: { z: algorithm, n: size }, savedBytes: size - packed.byteLength }
  }
  const bytes = textEncoder.encode(encoded.payload)
  const text = encodeBase64(await compression.compressor.compress(bytes))
  if (text.length >= bytes.byteLength) return undefined
  return { encoded: { format: 'string', payload: text }, meta: { z: algorithm, n: bytes.byteLength, e: 'base64' }, savedBytes: bytes.byteLength - text.length }
}

/** The size gzip's trailer gives (ISIZE, little-endian, of the last member), for a plain entry that records none. */
function gzipTrailerSize(packed: Uint8Array): number {
  const end = packed.byteLength
  if (end < 18) throw new EnvelopeError('too short for a gzip stream')
  return ((packed[end - 4] as number) | ((packed[end - 3] as number) << 8) | ((packed[end - 2] as number) << 16) | ((packed[end - 1] as number) << 24)) >>> 0
}

function inflate(meta: EntryMeta, packed: Uint8Array): Uint8Array | Promise<Uint8Array> {
  const algorithm = meta.z as CompressionAlgorithm
  const compressor = compressorFor(algorithm)
  // An algorithm this runtime lacks (brotli written by Node, read on an edge runtime): unreadable here.
  if (compressor === undefined) throw new EnvelopeError('this runtime cannot decompress the entry')
  const size = meta.n ?? gzipTrailerSize(packed)
  if (size > MAX_PAYLOAD_BYTES) throw new EnvelopeError('the payload is too large')
  const checked = (payload: Uint8Array) => {
    if (payload.byteLength !== size) throw new EnvelopeError('the decompressed payload does not have the size the entry says')
    return payload
  }
  const payload = compressor.decompress(packed, size)
  return payload instanceof Promise ? payload.then(checked) : checked(payload)
}

/**
 * A text codec's payload from a compressed entry (`meta.z` set): base64, decompressed, UTF-8.
 * Synchronous on node:zlib, a Promise on the stream runtime.
 *
 * @throws EnvelopeError (or the decompressor's error) when the entry is damaged or holds bytes a text codec cannot read.
 * @example
 * ```ts
 * const payload = inflateText(meta, entry.payload) // '{"resourceType":"Bundle",...}'
 * ```
 */
export function inflateText(meta: EntryMeta, stored: string): string | Promise<string> {
  // Raw compressed bytes (a bytes codec wrote them) come back from a text GET mangled.
  if (meta.e !== 'base64') throw new EnvelopeError('a text codec cannot read a compressed bytes entry')
  const payload = inflate(meta, decodeBase64(stored))
  return payload instanceof Promise ? payload.then((bytes) => textDecoder.decode(bytes)) : textDecoder.decode(payload)
}

/**
 * A bytes codec's payload from a compressed entry (`meta.z` set).
 *
 * @throws EnvelopeError (or the decompressor's error) when the entry is damaged or was written as text.
 * @example
 * ```ts
 * const payload = inflateBytes(meta, entry.payload) // Uint8Array
 * ```
 */
export function inflateBytes(meta: EntryMeta, stored: Uint8Array): Uint8Array | Promise<Uint8Array> {
  if (meta.e !== undefined) throw new EnvelopeError('a bytes codec cannot read a compressed text entry')
  return inflate(meta, stored)
}
