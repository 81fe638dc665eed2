/**
 * The stored form of an entry (docs/wire-format.md has it byte for byte):
 *
 *   "@c1" LF payload                 an entry without metadata (the common case)
 *   "@c1" SP meta-json LF payload    an entry with metadata (tags, freshness)
 *
 * The header is ASCII; meta-json is one line (JSON escapes every control character, and no
 * UTF-8 multi-byte sequence holds the byte 0x0A), so the first LF always ends it. The payload
 * is the codec's output, untouched: a hit on an untagged JSON entry costs one JSON.parse.
 */

/** Metadata stored beside a value. Unknown fields are ignored on read (forward compatible). */
export interface EntryMeta {
  /** Tag -> version token the entry was written under. */
  readonly t?: Readonly<Record<string, string>>
  /** Epoch ms after which the entry is stale (grace / stale-if-error, early refresh). */
  readonly f?: number
  /** How long the loader took, ms (early refresh). */
  readonly d?: number
}

/** An envelope taken apart. */
export interface Envelope<P> {
  readonly meta: EntryMeta | undefined
  readonly payload: P
}

/** Why an envelope could not be read; never holds any part of the entry. */
export class EnvelopeError extends Error {}

const AT = 0x40
const C = 0x63
const VERSION = 0x31 // '1'
const SPACE = 0x20
const LF = 0x0a
const HEADER = '@c1'
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

function metaJson(meta: EntryMeta | undefined): string | undefined {
  if (meta === undefined) return undefined
  if (meta.t === undefined && meta.f === undefined && meta.d === undefined) return undefined
  return JSON.stringify(meta)
}

/**
 * Wraps a string payload.
 *
 * @example
 * ```ts
 * encodeStringEnvelope('{"id":42}', undefined) // '@c1\n{"id":42}'
 * ```
 */
export function encodeStringEnvelope(payload: string, meta: EntryMeta | undefined): string {
  const json = metaJson(meta)
  return json === undefined ? `${HEADER}\n${payload}` : `${HEADER} ${json}\n${payload}`
}

/**
 * Wraps a bytes payload: the same header, UTF-8, then the payload bytes.
 *
 * @example
 * ```ts
 * encodeBytesEnvelope(new Uint8Array([1, 2]), undefined) // 40 63 31 0a 01 02
 * ```
 */
export function encodeBytesEnvelope(payload: Uint8Array, meta: EntryMeta | undefined): Uint8Array {
  const json = metaJson(meta)
  const header = textEncoder.encode(json === undefined ? `${HEADER}\n` : `${HEADER} ${json}\n`)
  const out = new Uint8Array(header.length + payload.length)
  out.set(header)
  out.set(payload, header.length)
  return out
}

function checkVersion(first: number, second: number, third: number): void {
  if (first !== AT || second !== C) throw new EnvelopeError('not a Cachette entry')
  if (third !== VERSION) throw new EnvelopeError('unsupported envelope version')
}

function parseMeta(json: string): EntryMeta {
  const meta: unknown = JSON.parse(json)
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new EnvelopeError('metadata is not an object')
  const tags = (meta as { t?: unknown }).t
  if (tags !== undefined) {
    if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw new EnvelopeError('tags are not an object')
    for (const token of Object.values(tags)) if (typeof token !== 'string') throw new EnvelopeError('a tag token is not a string')
  }
  const fresh = (meta as { f?: unknown }).f
  if (fresh !== undefined && typeof fresh !== 'number') throw new EnvelopeError('freshness is not a number')
  const loadMs = (meta as { d?: unknown }).d
  if (loadMs !== undefined && typeof loadMs !== 'number') throw new EnvelopeError('the loader duration is not a number')
  return meta as EntryMeta
}

/**
 * Takes a string envelope apart.
 *
 * @throws EnvelopeError (or a SyntaxError from the metadata) when it is not a v1 envelope.
 * @example
 * ```ts
 * decodeStringEnvelope('@c1\n42').payload // '42'
 * ```
 */
export function decodeStringEnvelope(raw: string): Envelope<string> {
  checkVersion(raw.charCodeAt(0), raw.charCodeAt(1), raw.charCodeAt(2))
  const fourth = raw.charCodeAt(3)
  if (fourth === LF) return { meta: undefined, payload: raw.slice(4) }
  if (fourth !== SPACE) throw new EnvelopeError('malformed header')
  const end = raw.indexOf('\n', 4)
  if (end === -1) throw new EnvelopeError('unterminated header')
  return { meta: parseMeta(raw.slice(4, end)), payload: raw.slice(end + 1) }
}

/**
 * Takes a bytes envelope apart; the payload is a view into `raw`, not a copy.
 *
 * @throws EnvelopeError when it is not a v1 envelope.
 * @example
 * ```ts
 * decodeBytesEnvelope(new Uint8Array([0x40, 0x63, 0x31, 0x0a, 7])).payload // Uint8Array [7]
 * ```
 */
export function decodeBytesEnvelope(raw: Uint8Array): Envelope<Uint8Array> {
  checkVersion(raw[0] ?? -1, raw[1] ?? -1, raw[2] ?? -1)
  const fourth = raw[3]
  if (fourth === LF) return { meta: undefined, payload: raw.subarray(4) }
  if (fourth !== SPACE) throw new EnvelopeError('malformed header')
  const end = raw.indexOf(LF, 4)
  if (end === -1) throw new EnvelopeError('unterminated header')
  return { meta: parseMeta(textDecoder.decode(raw.subarray(4, end))), payload: raw.subarray(end + 1) }
}
