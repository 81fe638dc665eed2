/**
 * Redis glob patterns, byte for byte. This is a port of `stringmatchlen()` from Redis' util.c,
 * so the memory driver's SCAN MATCH answers exactly what a redis-server answers, including the
 * corners people trip on:
 * - matching is on UTF-8 *bytes*: `?` matches one byte, so 'é' needs `??`;
 * - `[z-a]` is the same range as `[a-z]`; `\` escapes inside and outside brackets;
 * - an unterminated `[` never matches, while `[^` at the end matches any one byte;
 * - recursion on `*` is bounded (Redis returns "no match" past 1000 nested stars).
 */

const encoder = new TextEncoder()
const MAX_NESTING = 1000

/** Reads a byte, or 0 past the end (Redis patterns are NUL-terminated sds strings). */
function at(bytes: Uint8Array, index: number): number {
  return index < bytes.length ? (bytes[index] as number) : 0
}

function matchBytes(
  pattern: Uint8Array,
  p: number,
  patternLen: number,
  str: Uint8Array,
  s: number,
  stringLen: number,
  skipLongerMatches: { value: boolean },
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false

  while (patternLen > 0 && stringLen > 0) {
    const c = at(pattern, p)
    if (c === 0x2a /* * */) {
      while (patternLen > 0 && at(pattern, p + 1) === 0x2a) {
        p++
        patternLen--
      }
      if (patternLen === 1) return true
      while (stringLen > 0) {
        if (matchBytes(pattern, p + 1, patternLen - 1, str, s, stringLen, skipLongerMatches, nesting + 1)) return true
        if (skipLongerMatches.value) return false
        s++
        stringLen--
      }
      // No tail of the string matched the rest of the pattern: a longer prefix for an outer
      // star cannot help either, so every caller up the stack stops trying.
      skipLongerMatches.value = true
      return false
    } else if (c === 0x3f /* ? */) {
      s++
      stringLen--
    } else if (c === 0x5b /* [ */) {
      p++
      patternLen--
      const not = at(pattern, p) === 0x5e /* ^ */
      if (not) {
        p++
        patternLen--
      }
      let match = false
      const sc = at(str, s)
      for (;;) {
        const pc = at(pattern, p)
        if (pc === 0x5c /* \ */ && patternLen >= 2) {
          p++
          patternLen--
          if (at(pattern, p) === sc) match = true
        } else if (pc === 0x5d /* ] */) {
          break
        } else if (patternLen === 0) {
          p--
          patternLen++
          break
        } else if (patternLen >= 3 && at(pattern, p + 1) === 0x2d /* - */) {
          let start = pc
          let end = at(pattern, p + 2)
          if (start > end) [start, end] = [end, start]
          p += 2
          patternLen -= 2
          if (sc >= start && sc <= end) match = true
        } else if (pc === sc) {
          match = true
        }
        p++
        patternLen--
      }
      if (not) match = !match
      if (!match) return false
      s++
      stringLen--
    } else {
      if (c === 0x5c /* \ */ && patternLen >= 2) {
        p++
        patternLen--
      }
      if (at(pattern, p) !== at(str, s)) return false
      s++
      stringLen--
    }
    p++
    patternLen--
    if (stringLen === 0) {
      while (at(pattern, p) === 0x2a) {
        p++
        patternLen--
      }
      break
    }
  }
  return patternLen === 0 && stringLen === 0
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false
  return true
}

function asciiBytes(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i)
  return bytes
}

function toBytes(value: string): Uint8Array {
  return isAscii(value) ? asciiBytes(value) : encoder.encode(value)
}

/**
 * Compiles a Redis glob pattern into a predicate over keys, matching as redis-server does.
 *
 * @example
 * ```ts
 * const isPatient = compileGlob('identity:patient:*')
 * isPatient('identity:patient:42') // true
 * ```
 */
export function compileGlob(pattern: string): (key: string) => boolean {
  // SCAN skips matching for the lone '*', so it also yields the empty key (stringmatchlen would not).
  if (pattern === '*') return () => true
  const patternBytes = toBytes(pattern)
  return (key) => {
    const keyBytes = toBytes(key)
    return matchBytes(patternBytes, 0, patternBytes.length, keyBytes, 0, keyBytes.length, { value: false }, 0)
  }
}

/**
 * True when `key` matches the Redis glob `pattern`, exactly as `SCAN MATCH` decides.
 *
 * @example
 * ```ts
 * matchGlob('user:[0-9]*', 'user:7:profile') // true
 * matchGlob('a\\*b', 'a*b')                  // true: the star is escaped
 * ```
 */
export function matchGlob(pattern: string, key: string): boolean {
  // SCAN skips matching for the lone '*', so it also yields the empty key (stringmatchlen would not).
  if (pattern === '*') return true
  const patternBytes = toBytes(pattern)
  const keyBytes = toBytes(key)
  return matchBytes(patternBytes, 0, patternBytes.length, keyBytes, 0, keyBytes.length, { value: false }, 0)
}

const GLOB_SPECIAL = /[*?[\]\\^-]/g

/**
 * Escapes a literal so that, inside a glob pattern, it matches only itself.
 *
 * @example
 * ```ts
 * escapeGlob('a*b') // 'a\\*b'
 * ```
 */
export function escapeGlob(literal: string): string {
  return literal.replace(GLOB_SPECIAL, '\\$&')
}
