import { encodeBase64Url, sha256 } from './sha256.js'

/** Thrown inside {@link canonicalJson}; callers turn it into an error naming the parameter. */
export class CanonicalJsonError extends Error {}

/**
 * How deeply objects and arrays may nest in a canonicalized value (the value itself is level 1).
 * Checked before recursing, so a hostile value gets an error instead of a stack overflow.
 */
export const MAX_CANONICAL_DEPTH = 64

/**
 * JSON with object keys sorted (recursively), so two objects with the same content give the same
 * text whatever the order their keys were written in. It exists to be hashed into keys, so a value
 * whose JSON would not tell it apart from another value is refused rather than written:
 *
 * - accepted: strings, finite numbers, booleans, `null`, arrays, plain objects (prototype
 *   `Object.prototype` or `null`), and any object with a `toJSON()` method (a valid `Date` becomes
 *   its ISO string), whose result follows the same rules; a bigint becomes its decimal string;
 *   a property whose value is `undefined` is absent, as in `JSON.stringify`.
 * - refused: `NaN` and `±Infinity`, an invalid `Date`, functions, symbols, `undefined` or a hole
 *   in an array, symbol-keyed properties, a cycle, nesting deeper than {@link MAX_CANONICAL_DEPTH}
 *   levels, and every other object (`Map`, `Set`, `URLSearchParams`, `RegExp`, typed arrays,
 *   class instances without `toJSON`), which `JSON.stringify` would turn into `{}` or lose
 *   part of.
 *
 * Errors thrown by the value's own code (a getter, a `toJSON`, a proxy trap) are not caught.
 *
 * @throws CanonicalJsonError (a plain Error subclass) naming the kind of value refused, never the value.
 * @example
 * ```ts
 * canonicalJson({ status: 'ACTIVE', page: 2 }) === canonicalJson({ page: 2, status: 'ACTIVE' }) // true
 * canonicalJson({ patient: new URLSearchParams('patient=X') }) // throws: it holds a URLSearchParams
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0, new Set())
}

/** `depth`: how many objects and arrays enclose `value`. */
function write(value: unknown, depth: number, seen: Set<object>): string {
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      // An invalid Date's toJSON() is null: it would share its hash with null.
      if (value instanceof Date && Number.isNaN(value.getTime())) refuse(depth, 'an invalid Date')
      value = toJSON.call(value)
    }
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) refuse(depth, 'a number that is not finite (NaN or ±Infinity)')
      return JSON.stringify(value)
    case 'bigint':
      return JSON.stringify(value.toString())
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (depth >= MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`the value nests objects or arrays more than ${MAX_CANONICAL_DEPTH} levels deep`)
      if (seen.has(value)) throw new CanonicalJsonError('the value holds a cycle')
      seen.add(value)
      let out: string
      if (Array.isArray(value)) {
        const items: string[] = []
        // An index loop, not map(): map() skips holes, which JSON writes as null.
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          if (item === undefined) refuse(depth + 1, 'undefined or a hole in an array (JSON writes null)')
          items.push(write(item, depth + 1, seen))
        }
        out = `[${items.join(',')}]`
      } else {
        if (!isPlainObject(value)) refuse(depth, `${kindOf(value)}, which JSON cannot represent faithfully (pass a plain object, an array or a string)`)
        for (const symbol of Object.getOwnPropertySymbols(value)) {
          if (Object.prototype.propertyIsEnumerable.call(value, symbol)) refuse(depth, 'an object with symbol keys, which JSON drops')
        }
        const record = value as Record<string, unknown>
        const parts: string[] = []
        for (const name of Object.keys(record).sort()) {
          const item = record[name]
          // Absent and undefined are the same filter; JSON.stringify agrees.
          if (item === undefined) continue
          parts.push(`${JSON.stringify(name)}:${write(item, depth + 1, seen)}`)
        }
        out = `{${parts.join(',')}}`
      }
      seen.delete(value)
      return out
    }
    case 'function':
      return refuse(depth, 'a function')
    case 'symbol':
      return refuse(depth, 'a symbol')
    default:
      return refuse(depth, 'undefined')
  }
}

function refuse(depth: number, what: string): never {
  throw new CanonicalJsonError(`the value ${depth === 0 ? 'is' : 'holds'} ${what}`)
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === null || proto === Object.prototype) return true
  // Object.prototype of another realm (node:vm, an iframe): its own prototype is null.
  return (
    typeof proto === 'object' &&
    Object.getPrototypeOf(proto) === null &&
    Object.prototype.toString.call(value) === '[object Object]' &&
    typeof (proto as { constructor?: unknown }).constructor === 'function' &&
    (proto as { constructor: { name?: unknown } }).constructor.name === 'Object'
  )
}

// Only names that look like identifiers reach a message: a toStringTag is code, but could be anything.
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,63}$/

/** The kind of a non-plain object for a message ('a Map', 'an instance of class Query'), never its content. */
function kindOf(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1)
  let name: string | undefined
  if (tag !== 'Object' && IDENTIFIER.test(tag)) {
    name = tag
  } else {
    const constructor: unknown = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor
    const constructorName: unknown = typeof constructor === 'function' ? constructor.name : undefined
    if (typeof constructorName === 'string' && constructorName !== 'Object' && IDENTIFIER.test(constructorName)) return `an instance of class ${constructorName}`
  }
  if (name === undefined) return 'an object with a custom prototype'
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`
}

/**
 * A short, stable, key-safe hash of any JSON-like value: SHA-256 of its {@link canonicalJson},
 * base64url, first `length` characters (16 by default: 96 bits, collisions are not a concern
 * for cache keys). Not keyed: do not use it to hide personal data (use an HMAC parameter).
 * Refuses what {@link canonicalJson} refuses.
 *
 * @example
 * ```ts
 * stableHash({ status: 'ACTIVE', page: 2 }) // 16 characters of [A-Za-z0-9_-]
 * ```
 */
export function stableHash(value: unknown, length = 16): string {
  return encodeBase64Url(sha256(canonicalJson(value))).slice(0, length)
}
