import { encodeBase64Url, sha256 } from './sha256.js'

/** Thrown inside {@link canonicalJson}; callers turn it into an error naming the parameter. */
export class CanonicalJsonError extends Error {}

/**
 * JSON with object keys sorted (recursively), so two objects with the same content give the same
 * text whatever the order their keys were written in. Follows `JSON.stringify` otherwise
 * (`toJSON` is honoured, `undefined` and functions inside objects are dropped), except that a
 * bigint becomes its decimal string and a non-finite number or a cycle is an error instead of a
 * silent `null`.
 *
 * @throws CanonicalJsonError (a plain Error subclass) on a cycle, a non-finite number, a symbol or a function at the top.
 * @example
 * ```ts
 * canonicalJson({ status: 'ACTIVE', page: 2 }) === canonicalJson({ page: 2, status: 'ACTIVE' }) // true
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set())
}

function write(value: unknown, seen: Set<object>): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON()
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('a number is not finite')
      return JSON.stringify(value)
    case 'bigint':
      return JSON.stringify(value.toString())
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (seen.has(value)) throw new CanonicalJsonError('the value contains a cycle')
      seen.add(value)
      let out: string
      if (Array.isArray(value)) {
        out = `[${value.map((item) => (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : write(item, seen))).join(',')}]`
      } else {
        const record = value as Record<string, unknown>
        const parts: string[] = []
        for (const name of Object.keys(record).sort()) {
          const item = record[name]
          if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
          parts.push(`${JSON.stringify(name)}:${write(item, seen)}`)
        }
        out = `{${parts.join(',')}}`
      }
      seen.delete(value)
      return out
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} cannot be represented in JSON`)
  }
}

/**
 * A short, stable, key-safe hash of any JSON-like value: SHA-256 of its {@link canonicalJson},
 * base64url, first `length` characters (16 by default: 96 bits, collisions are not a concern
 * for cache keys). Not keyed: do not use it to hide personal data (use an HMAC parameter).
 *
 * @example
 * ```ts
 * stableHash({ status: 'ACTIVE', page: 2 }) // 16 characters of [A-Za-z0-9_-]
 * ```
 */
export function stableHash(value: unknown, length = 16): string {
  return encodeBase64Url(sha256(canonicalJson(value))).slice(0, length)
}
