/**
 * The stored form of an entry (docs/wire-format.md has it byte for byte):
 *
 *   "@c1" LF payload                 an entry without metadata (the common case)
 *   "@c1" SP meta-json LF payload    an entry with metadata (tags, freshness)
 *   "@c2" SP meta-json LF payload    a compressed entry: meta-json says how (`z`, `n`, `e`)
 *   "@c3" SP meta-json LF payload    an encrypted entry: meta-json names the key (`k`) and the IV
 *                                    (`i`); the payload is the AES-GCM ciphertext (base64 text for a
 *                                    text codec) of what a v1 or v2 entry would hold
 *
 * The header is ASCII; meta-json is one line (JSON escapes every control character, and no
 * UTF-8 multi-byte sequence holds the byte 0x0A), so the first LF always ends it. The payload
 * is the codec's output, untouched: a hit on an untagged JSON entry costs one JSON.parse.
 *
 * Version 2 is version 1 with a compressed payload, and it is written only for those: an entry
 * that is not compressed stays `@c1`, byte for byte what earlier versions wrote and read. A reader
 * from before compression refuses the version byte `2`, so it takes a compressed entry for a
 * corrupted one (a miss), never hands compressed bytes to its codec.
 */

/** Metadata stored beside a value. Unknown fields are ignored on read (forward compatible). */
export interface EntryMeta {
  /** Tag -> version token the entry was written under. */
  readonly t?: Readonly<Record<string, string>>
  /** Epoch ms after which the entry is stale (grace / stale-if-error, early refresh). */
  readonly f?: number
  /** How long the loader took, ms (early refresh). */
  readonly d?: number
  /** How the payload is compressed (version 2 only, where it is required). */
  readonly z?: 'gzip' | 'brotli'
  /** The payload's size in bytes before compression (version 2; absent in plain mode, where gzip's own trailer says it). */
  readonly n?: number
  /** `'base64'`: the compressed bytes are stored as base64 text (a text codec); absent: as bytes (a bytes codec). */
  readonly e?: 'base64'
  /** Version 3: the id of the encryption key the payload was sealed with. */
  readonly k?: string
  /** Version 3: the AES-GCM initialization vector, 12 bytes in base64url (16 characters). */
  readonly i?: string
  /** Version 3: epoch ms at which the store expires the entry (re-encryption keeps it). */
  readonly x?: number
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
const VERSION_COMPRESSED = 0x32 // '2'
const VERSION_ENCRYPTED = 0x33 // '3'
const SPACE = 0x20
const LF = 0x0a
const HEADER = '@c1'
const HEADER_COMPRESSED = '@c2'
const HEADER_ENCRYPTED = '@c3'
/**
 * The largest payload a compressed entry may declare: Redis' own limit on a value (512 MB). A
 * larger `n` is a damaged or hostile entry, not one to allocate for.
 */
export const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

function metaJson(meta: EntryMeta | undefined): string | undefined {
  if (meta === undefined) return undefined
  if (meta.t === undefined && meta.f === undefined && meta.d === undefined && meta.z === undefined && meta.k === undefined) return undefined
  return JSON.stringify(meta)
}

function headerOf(meta: EntryMeta | undefined): string {
  if (meta?.k !== undefined) return HEADER_ENCRYPTED
  return meta?.z === undefined ? HEADER : HEADER_COMPRESSED
}

/**
 * Wraps a string payload: `@c2` when `meta` says it is compressed, else `@c1`.
 *
 * @example
 * ```ts
 * encodeStringEnvelope('{"id":42}', undefined) // '@c1\n{"id":42}'
 * encodeStringEnvelope('H4sIAAAA...', { z: 'gzip', n: 101191, e: 'base64' }) // '@c2 {"z":"gzip","n":101191,"e":"base64"}\nH4sIAAAA...'
 * ```
 */
export function encodeStringEnvelope(payload: string, meta: EntryMeta | undefined): string {
  const json = metaJson(meta)
  return json === undefined ? `${HEADER}\n${payload}` : `${headerOf(meta)} ${json}\n${payload}`
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
  const header = textEncoder.encode(json === undefined ? `${HEADER}\n` : `${headerOf(meta)} ${json}\n`)
  const out = new Uint8Array(header.length + payload.length)
  out.set(header)
  out.set(payload, header.length)
  return out
}

/** Checks the magic and the version: 1, 2 (compressed) or 3 (encrypted). */
function checkVersion(first: number, second: number, third: number): 1 | 2 | 3 {
  if (first !== AT || second !== C) throw new EnvelopeError('not a Cachette entry')
  if (third === VERSION) return 1
  if (third === VERSION_COMPRESSED) return 2
  if (third === VERSION_ENCRYPTED) return 3
  throw new EnvelopeError('unsupported envelope version')
}

const IV_PATTERN = /^[A-Za-z0-9_-]{16}$/

function parseMeta(json: string, version: 1 | 2 | 3): EntryMeta {
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
  const { z: algorithm, n: size, e: encoding, k: keyId, i: iv, x: expiresAt } = meta as { z?: unknown; n?: unknown; e?: unknown; k?: unknown; i?: unknown; x?: unknown }
  if (version === 3) {
    if (typeof keyId !== 'string' || keyId === '') throw new EnvelopeError('the key id is not a string')
    if (typeof iv !== 'string' || !IV_PATTERN.test(iv)) throw new EnvelopeError('the IV is not 12 bytes in base64url')
    if (expiresAt !== undefined && typeof expiresAt !== 'number') throw new EnvelopeError('the expiry is not a number')
    // The plaintext may be compressed: its fields are those of version 2, when present.
    if (algorithm === undefined) {
      if (size !== undefined || encoding !== undefined) throw new EnvelopeError('compression fields without an algorithm')
      return meta as EntryMeta
    }
  } else if (keyId !== undefined || iv !== undefined || expiresAt !== undefined) {
    // Unknown to versions 1 and 2 (ignored, as any unknown field): only the header says encrypted.
    const { k: _k, i: _i, x: _x, ...rest } = meta as Record<string, unknown>
    return parseMeta(JSON.stringify(rest), version)
  }
  const compressed = version !== 1
  if (!compressed) {
    // Version 1 promises an uncompressed payload: a compression field there is a damaged entry.
    if (algorithm !== undefined || size !== undefined || encoding !== undefined) throw new EnvelopeError('compression fields in a version 1 envelope')
    return meta as EntryMeta
  }
  if (algorithm !== 'gzip' && algorithm !== 'brotli') throw new EnvelopeError('unknown compression')
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAYLOAD_BYTES) throw new EnvelopeError('the payload size is not a valid byte count')
  if (encoding !== undefined && encoding !== 'base64') throw new EnvelopeError('unknown payload encoding')
  return meta as EntryMeta
}

/**
 * Takes a string envelope apart.
 *
 * @throws EnvelopeError (or a SyntaxError from the metadata) when it is not a v1 or v2 envelope (v2: the payload is still compressed).
 * @example
 * ```ts
 * decodeStringEnvelope('@c1\n42').payload // '42'
 * ```
 */
export function decodeStringEnvelope(raw: string): Envelope<string> {
  const version = checkVersion(raw.charCodeAt(0), raw.charCodeAt(1), raw.charCodeAt(2))
  const fourth = raw.charCodeAt(3)
  if (fourth === LF && version === 1) return { meta: undefined, payload: raw.slice(4) }
  if (fourth !== SPACE) throw new EnvelopeError('malformed header')
  const end = raw.indexOf('\n', 4)
  if (end === -1) throw new EnvelopeError('unterminated header')
  return { meta: parseMeta(raw.slice(4, end), version), payload: raw.slice(end + 1) }
}

/**
 * Takes a bytes envelope apart; the payload is a view into `raw`, not a copy.
 *
 * @throws EnvelopeError when it is not a v1 or v2 envelope (v2: the payload is still compressed).
 * @example
 * ```ts
 * decodeBytesEnvelope(new Uint8Array([0x40, 0x63, 0x31, 0x0a, 7])).payload // Uint8Array [7]
 * ```
 */
export function decodeBytesEnvelope(raw: Uint8Array): Envelope<Uint8Array> {
  const version = checkVersion(raw[0] ?? -1, raw[1] ?? -1, raw[2] ?? -1)
  const fourth = raw[3]
  if (fourth === LF && version === 1) return { meta: undefined, payload: raw.subarray(4) }
  if (fourth !== SPACE) throw new EnvelopeError('malformed header')
  const end = raw.indexOf(LF, 4)
  if (end === -1) throw new EnvelopeError('unterminated header')
  return { meta: parseMeta(textDecoder.decode(raw.subarray(4, end)), version), payload: raw.subarray(end + 1) }
}

/**
 * The metadata of an entry exactly as stored (the text between the header and the first line
 * feed), which an encrypted entry binds as associated data. Call it on an entry that decoded.
 *
 * @example
 * ```ts
 * storedMetaJson('@c3 {"k":"a","i":"AAAAAAAAAAAAAAAA"}\nq83v...') // '{"k":"a","i":"AAAAAAAAAAAAAAAA"}'
 * ```
 */
export function storedMetaJson(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return raw.slice(4, raw.indexOf('\n', 4))
  return textDecoder.decode(raw.subarray(4, raw.indexOf(LF, 4)))
}
