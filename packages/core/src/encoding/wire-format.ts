import type { DriverValue } from '../driver/driver.js'
import { decodeBytesEnvelope, decodeStringEnvelope, encodeBytesEnvelope, encodeStringEnvelope, type EntryMeta, type Envelope } from './envelope.js'

/**
 * How an entry is laid out in the store (`createCache({ wire })`, docs/wire-format.md):
 *
 * - `'cachette'`: the versioned envelope, `@c1` + optional metadata + the codec's payload. Tags,
 *   grace, stale-while-revalidate and early refresh record what they need in that metadata.
 * - `'plain'`: the codec's payload alone, byte for byte, so that a service in another language
 *   (`json.loads`, `json.Unmarshal`, `@upstash/redis`) reads what Cachette writes and Cachette reads
 *   what it writes. There is nowhere to keep metadata, so the options that need it are refused.
 */
export type WireFormat = 'cachette' | 'plain'

/** A payload produced by the codec, before it is laid out for the store. */
export type EncodedPayload = { readonly format: 'string'; readonly payload: string } | { readonly format: 'bytes'; readonly payload: Uint8Array }

/**
 * The stored form of a payload: wrapped in the envelope, or (plain) the payload itself.
 *
 * @throws Error when metadata reaches a plain write: the options that produce it are refused
 * before any write, so this is a bug, never a value silently stored without its tags or freshness.
 * @example
 * ```ts
 * encodeEntry('plain', { format: 'string', payload: '{"id":42}' }, undefined)    // '{"id":42}'
 * encodeEntry('cachette', { format: 'string', payload: '{"id":42}' }, undefined) // '@c1\n{"id":42}'
 * ```
 */
export function encodeEntry(wire: WireFormat, encoded: EncodedPayload, meta: EntryMeta | undefined): DriverValue {
  if (wire === 'plain') {
    if (meta !== undefined) throw new Error('[@cachette/core] an entry with metadata cannot be written with wire: plain')
    return encoded.payload
  }
  return encoded.format === 'bytes' ? encodeBytesEnvelope(encoded.payload, meta) : encodeStringEnvelope(encoded.payload, meta)
}

/**
 * What a plain entry starting with gzip's magic is: gzip of the payload, in base64 text or as
 * bytes, its size in gzip's own trailer (plain mode has no metadata to record it).
 */
const PLAIN_GZIP_TEXT: EntryMeta = Object.freeze({ z: 'gzip', e: 'base64' })
const PLAIN_GZIP_BYTES: EntryMeta = Object.freeze({ z: 'gzip' })

/**
 * Whether a plain text value is gzip in base64: gzip's first three bytes (1F 8B 08) are `H4sI`
 * in base64, and no JSON text starts with `H`.
 *
 * @example
 * ```ts
 * isGzipText('H4sIAAAAAAAAA...') // true
 * ```
 */
export function isGzipText(raw: string): boolean {
  return raw.startsWith('H4sI')
}

/**
 * Whether a plain bytes value is gzip: its magic 1F 8B, then method 08 (deflate).
 *
 * @example
 * ```ts
 * isGzipBytes(new Uint8Array([0x1f, 0x8b, 0x08, 0])) // true
 * ```
 */
export function isGzipBytes(raw: Uint8Array): boolean {
  return raw[0] === 0x1f && raw[1] === 0x8b && raw[2] === 0x08
}

/**
 * A stored text entry taken apart: (plain) the whole text is the payload; with `compressed`
 * (a plain cache with compression on), one starting with gzip's magic comes back with the
 * metadata saying so (`z: 'gzip'`, `e: 'base64'`), its payload still compressed.
 *
 * @throws EnvelopeError (or a SyntaxError) when a `'cachette'` entry is not a v1 or v2 envelope.
 * @example
 * ```ts
 * decodeStringEntry('plain', '{"id":42}').payload // '{"id":42}'
 * ```
 */
export function decodeStringEntry(wire: WireFormat, raw: string, compressed = false): Envelope<string> {
  if (wire !== 'plain') return decodeStringEnvelope(raw)
  return { meta: compressed && isGzipText(raw) ? PLAIN_GZIP_TEXT : undefined, payload: raw }
}

/**
 * A stored bytes entry taken apart: (plain) all the bytes are the payload; with `compressed`,
 * gzip bytes come back with `z: 'gzip'`, still compressed.
 *
 * @throws EnvelopeError when a `'cachette'` entry is not a v1 or v2 envelope.
 * @example
 * ```ts
 * decodeBytesEntry('plain', new Uint8Array([7])).payload // Uint8Array [7]
 * ```
 */
export function decodeBytesEntry(wire: WireFormat, raw: Uint8Array, compressed = false): Envelope<Uint8Array> {
  if (wire !== 'plain') return decodeBytesEnvelope(raw)
  return { meta: compressed && isGzipBytes(raw) ? PLAIN_GZIP_BYTES : undefined, payload: raw }
}
