import { CanonicalJsonError, canonicalJson } from './canonical-json.js'
import { InvalidKeyError, InvalidOptionsError } from '../errors.js'
import { encodeBase64Url, hmacSha256, sha256 } from './sha256.js'

/** A parameter value for a plain (validated or encoded) parameter. */
export type ScalarParam = string | number | bigint

/**
 * An object a hashed parameter accepts at the type level: any object but the built-ins JSON cannot
 * represent. Iterables (`Map`, `Set`, `URLSearchParams`, typed arrays), objects with a
 * `Symbol.toStringTag` (`WeakMap`, `WeakSet`, `Promise`), a `RegExp` and functions are type errors
 * here. Nested values and class instances cannot be told apart by the type system: they are
 * checked when the key is built (see {@link HashableParam}).
 */
export type HashableObject = object & {
  // `any`, not a recursive type: an interface has no index signature, so a recursive one would
  // refuse every interface-typed filter object. The index signature also turns off excess
  // property checks, which would otherwise refuse every object literal.
  readonly [key: string]: any
  readonly [Symbol.iterator]?: never
  readonly [Symbol.toStringTag]?: never
  readonly [Symbol.match]?: never
  readonly [Symbol.hasInstance]?: never
}

/**
 * A parameter value for a hashed parameter (`'hash'` or `{ hmac }`): a scalar, a boolean, `null`,
 * an array, or a plain object, nested at most 64 levels deep. When the key is built, a value JSON
 * cannot represent faithfully is refused with an `InvalidKeyError` rather than hashed as `{}`:
 * a `Map`, a `Set`, a `URLSearchParams`, a class instance without `toJSON()`, `NaN`, a function,
 * `undefined` in an array (see `canonicalJson`).
 */
export type HashableParam = ScalarParam | boolean | null | readonly HashableParam[] | HashableObject

/**
 * Keyed hashing of a parameter: HMAC-SHA-256 under `hmac`, base64url, first `length` characters.
 * The key then holds no trace of the identifier (a patient code, a national number): without the
 * secret nobody can tell which patient a key belongs to, nor test guesses against it.
 */
export interface HmacParam {
  /** The secret, 16 bytes at least (32 random bytes recommended). Keep it out of source control. */
  readonly hmac: string | Uint8Array
  /**
   * Characters of base64url kept (6 bits each).
   *
   * @default 22 (132 bits)
   */
  readonly length?: number
}

/**
 * How a parameter's value becomes part of the key.
 * - `'strict'` (default): a string, finite number or bigint, used as is; a value holding a glob
 *   character (`* ? [ ] \`), the separator `:`, a brace, whitespace or a control character, or
 *   an empty string, is rejected with an `InvalidKeyError`.
 * - `'encode'`: the same values, percent-encoded (UTF-8) so any string is accepted: `*` becomes
 *   `%2A`, `:` `%3A`. Two different values never give the same key.
 * - `'hash'`: any JSON-like value (objects and arrays too) becomes a 16-character base64url
 *   SHA-256 of its canonical JSON (keys sorted). For filters and option objects; not secret.
 *   Values JSON cannot represent faithfully (a `Map`, a `URLSearchParams`, a class instance) and
 *   nesting deeper than 64 levels are refused ({@link HashableParam}).
 * - `{ hmac: secret }`: a keyed hash ({@link HmacParam}), so no personal data appears in keys.
 */
export type ParamMode = 'strict' | 'encode' | 'hash' | HmacParam

/** The value type a parameter accepts, given its mode. */
export type ParamValue<Mode> = Mode extends 'hash' | HmacParam ? HashableParam : ScalarParam

/** Turns a parameter value into its key text, or throws an InvalidKeyError. */
export type ParamEncoder = (value: unknown) => string

// Values holding these would widen a glob, split a segment, break a hash tag or alias a key.
// \p{Cs}: a lone surrogate is sent as U+FFFD, so two different strings would share one key.
const UNSAFE_VALUE = /[*?[\]\\:{}\s\p{Cc}\p{Cs}]/u
const LONE_SURROGATE = /\p{Cs}/u
const MIN_HMAC_KEY_BYTES = 16
const encoder = new TextEncoder()

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'bigint') return value.toString()
  return undefined
}

/**
 * Builds the encoder of one parameter. Errors name the template and the parameter, never the value.
 *
 * @example
 * ```ts
 * compileParam('patient:{id}', 'id', 'strict')(42) // '42'
 * ```
 */
export function compileParam(template: string, name: string, mode: ParamMode | undefined): ParamEncoder {
  const invalid = (reason: string, cause?: unknown): never => {
    throw new InvalidKeyError(`[@cachette/core] key '${template}': parameter '${name}' ${reason}`, cause === undefined ? undefined : { cause })
  }
  const scalar = (value: unknown): string => {
    const text = scalarText(value)
    if (text === undefined) {
      return invalid(value === undefined ? 'is missing' : 'must be a string, a finite number or a bigint')
    }
    if (text.length === 0) return invalid('is an empty string')
    return text
  }

  if (mode === undefined || mode === 'strict') {
    return (value) => {
      const text = scalar(value)
      if (UNSAFE_VALUE.test(text)) {
        invalid(
          "holds a character keys may not contain (a glob character * ? [ ] \\, the separator ':', a brace, whitespace or a control character); declare it with params: { " +
            `${name}: 'encode' } or a hash mode to accept any value`,
        )
      }
      return text
    }
  }
  if (mode === 'encode') {
    return (value) => {
      const text = scalar(value)
      if (LONE_SURROGATE.test(text)) invalid('holds a lone UTF-16 surrogate')
      // encodeURIComponent leaves ! ' ( ) * ~ alone; '*' is a glob character, so encode those too.
      return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    }
  }
  if (mode === 'hash') {
    return (value) => {
      if (value === undefined) invalid('is missing')
      return encodeBase64Url(sha256(canonical(value, invalid))).slice(0, 16)
    }
  }
  if (typeof mode === 'object' && mode !== null && 'hmac' in mode) {
    const secret = typeof mode.hmac === 'string' ? encoder.encode(mode.hmac) : mode.hmac
    if (!(secret instanceof Uint8Array) || secret.length < MIN_HMAC_KEY_BYTES) {
      throw new InvalidOptionsError(`[@cachette/core] key '${template}': the HMAC secret of parameter '${name}' must be at least ${MIN_HMAC_KEY_BYTES} bytes`)
    }
    const length = mode.length ?? 22
    if (!Number.isInteger(length) || length < 16 || length > 43) {
      throw new InvalidOptionsError(`[@cachette/core] key '${template}': params.${name}.length must be an integer from 16 to 43`)
    }
    // Copy, so mutating the caller's buffer later cannot change keys behind our back.
    const key = secret.slice()
    return (value) => {
      // A scalar hashes as its text, so patientKey({ id: 42 }) and ({ id: '42' }) agree,
      // as they do for plain parameters.
      const text = scalarText(value)
      if (text === '') invalid('is an empty string')
      if (value === undefined) invalid('is missing')
      // The HMAC reads UTF-8, where a lone surrogate becomes U+FFFD: two codes would share a key.
      if (typeof value === 'string' && LONE_SURROGATE.test(value)) invalid('holds a lone UTF-16 surrogate')
      return encodeBase64Url(hmacSha256(key, text ?? canonical(value, invalid))).slice(0, length)
    }
  }
  throw new InvalidOptionsError(`[@cachette/core] key '${template}': params.${name} must be 'strict', 'encode', 'hash' or { hmac: secret }`)
}

function canonical(value: unknown, invalid: (reason: string, cause?: unknown) => never): string {
  try {
    return canonicalJson(value)
  } catch (error) {
    if (error instanceof CanonicalJsonError) return invalid(`cannot be hashed: ${error.message}`)
    // The value's own code threw (a getter, toJSON, a proxy trap). Its message may quote data:
    // keep it only as the cause.
    return invalid('cannot be hashed: reading the value threw an error (kept as the cause)', error)
  }
}
