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
 * A stored text entry taken apart: (plain) the whole text is the payload.
 *
 * @throws EnvelopeError (or a SyntaxError) when a `'cachette'` entry is not a v1 envelope.
 * @example
 * ```ts
 * decodeStringEntry('plain', '{"id":42}').payload // '{"id":42}'
 * ```
 */
export function decodeStringEntry(wire: WireFormat, raw: string): Envelope<string> {
  return wire === 'plain' ? { meta: undefined, payload: raw } : decodeStringEnvelope(raw)
}

/**
 * A stored bytes entry taken apart: (plain) all the bytes are the payload.
 *
 * @throws EnvelopeError when a `'cachette'` entry is not a v1 envelope.
 * @example
 * ```ts
 * decodeBytesEntry('plain', new Uint8Array([7])).payload // Uint8Array [7]
 * ```
 */
export function decodeBytesEntry(wire: WireFormat, raw: Uint8Array): Envelope<Uint8Array> {
  return wire === 'plain' ? { meta: undefined, payload: raw } : decodeBytesEnvelope(raw)
}
