/**
 * How values become stored payloads and back. The cache wraps the payload in a small envelope
 * (see docs/wire-format.md), or stores it alone with `wire: 'plain'`; a codec only sees its own payload.
 */

/** A codec whose payload is a string (JSON, for instance). Works with every driver. */
export interface StringCodec<T = unknown> {
  /** A short name for docs and error messages. */
  readonly name: string
  readonly format: 'string'
  /**
   * Turns a value into a payload; may throw (the cache reports it without the value).
   *
   * @example
   * ```ts
   * jsonCodec.encode({ resourceType: 'Patient', id: '42' }) // '{"resourceType":"Patient","id":"42"}'
   * ```
   */
  encode(value: T): string
  /**
   * Turns a payload back into a value; throwing marks the entry as corrupted (a miss).
   *
   * @example
   * ```ts
   * jsonCodec.decode('{"resourceType":"Patient","id":"42"}') // { resourceType: 'Patient', id: '42' }
   * ```
   */
  decode(payload: string): T
}

/** A codec whose payload is bytes (compressed, encrypted, MessagePack...). Needs `capabilities.binary`. */
export interface BytesCodec<T = unknown> {
  /** A short name for docs and error messages. */
  readonly name: string
  readonly format: 'bytes'
  /**
   * Turns a value into a payload; may throw (the cache reports it without the value).
   *
   * @example
   * ```ts
   * const payload = msgpackCodec.encode(bundle) // Uint8Array (msgpackCodec: a BytesCodec of your own)
   * ```
   */
  encode(value: T): Uint8Array
  /**
   * Turns a payload back into a value; throwing marks the entry as corrupted (a miss).
   *
   * @example
   * ```ts
   * const bundle = msgpackCodec.decode(payload) // throws on a corrupted payload: the entry is then a miss
   * ```
   */
  decode(payload: Uint8Array): T
}

/**
 * A value codec, string or bytes.
 *
 * @example
 * ```ts
 * const upper: Codec<string> = { name: 'upper', format: 'string', encode: (v) => v.toUpperCase(), decode: (p) => p }
 * ```
 */
export type Codec<T = unknown> = StringCodec<T> | BytesCodec<T>

/**
 * The default codec: `JSON.stringify` / `JSON.parse`. Values round-trip as JSON does (a `Date`
 * comes back as a string: give the key a schema that coerces it). A value JSON cannot represent
 * at the top (a function, a symbol, `undefined`) is rejected rather than stored as nothing.
 *
 * @example
 * ```ts
 * createCache({ codec: jsonCodec }) // the default anyway
 * ```
 */
export const jsonCodec: StringCodec<unknown> = Object.freeze({
  name: 'json',
  format: 'string' as const,
  encode(value: unknown): string {
    const text = JSON.stringify(value)
    if (text === undefined) throw new TypeError('this value has no JSON representation')
    return text
  },
  decode(payload: string): unknown {
    return JSON.parse(payload)
  },
})
