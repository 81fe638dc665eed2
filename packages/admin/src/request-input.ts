/** The longest pattern accepted, in UTF-8 bytes. */
export const MAX_PATTERN_BYTES = 1024

/** A query parameter read, or why the request is refused (a message that never echoes the input). */
export type ParamResult = { readonly ok: true; readonly value: string | undefined } | { readonly ok: false; readonly error: string }

const encoder = new TextEncoder()
// C0 controls, DEL and C1 controls: none belongs in a key pattern, and they corrupt log lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * One query parameter, percent-decoded strictly (`+` is a space, as in a form). Unlike
 * `URLSearchParams`, which turns bytes that are not UTF-8 into U+FFFD, a malformed escape or
 * invalid UTF-8 refuses the request: a pattern must reach the store as the caller wrote it, or
 * not at all. A raw value too long to decode within `maxBytes` is refused before decoding.
 */
export function queryParam(url: URL, name: string, maxBytes: number): ParamResult {
  const query = url.search.startsWith('?') ? url.search.slice(1) : url.search
  let found: string | undefined
  let count = 0
  for (const part of query === '' ? [] : query.split('&')) {
    const equals = part.indexOf('=')
    const rawName = equals < 0 ? part : part.slice(0, equals)
    const decodedName = decode(rawName)
    if (decodedName === undefined) return { ok: false, error: 'the query string is not valid percent-encoded UTF-8' }
    if (decodedName !== name) continue
    count++
    if (count > 1) return { ok: false, error: `give the ${name} parameter once` }
    const rawValue = equals < 0 ? '' : part.slice(equals + 1)
    // Each decoded byte comes from at most 3 characters (%XX): past 3 * maxBytes it is too long.
    if (rawValue.length > 3 * maxBytes) return { ok: false, error: `the ${name} is longer than ${maxBytes} bytes` }
    const value = decode(rawValue)
    if (value === undefined) return { ok: false, error: 'the query string is not valid percent-encoded UTF-8' }
    found = value
  }
  return { ok: true, value: found }
}

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/**
 * The checks every pattern passes before the namespace rule: present, not empty, at most
 * {@link MAX_PATTERN_BYTES} bytes, no control character. The message says which rule failed and
 * never holds the pattern (it may carry identifiers).
 */
export function patternProblem(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return 'the pattern parameter is required: POST …/invalidate?pattern=<glob>'
  if (pattern === '') return 'the pattern is empty'
  if (encoder.encode(pattern).length > MAX_PATTERN_BYTES) return `the pattern is longer than ${MAX_PATTERN_BYTES} bytes`
  if (CONTROL.test(pattern)) return 'the pattern holds a control character'
  return undefined
}
