/*
 * Integer arithmetic of INCRBY / HINCRBY, as Redis does it: the stored value must be the exact
 * decimal form of a signed 64-bit integer (Redis string2ll: no sign '+', no leading zero, no
 * spaces, no '-0'), and a result outside the 64-bit range is refused instead of wrapping.
 */

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,19})$/
const decoder = new TextDecoder()

/** The outcome of an increment: the new value, or why Redis would refuse it. */
export type IncrementResult = { readonly ok: true; readonly value: number; readonly text: string } | { readonly ok: false; readonly reason: 'not an integer' | 'would overflow' }

const NOT_INTEGER: IncrementResult = { ok: false, reason: 'not an integer' }
const OVERFLOW: IncrementResult = { ok: false, reason: 'would overflow' }

/** True for an increment argument Redis accepts (a JS number that is an exact integer). */
export function isIncrement(by: number): boolean {
  return Number.isSafeInteger(by)
}

/**
 * Adds `by` to a stored value (`undefined` counts as 0). Results beyond 2^53 stay exact in the
 * store (kept as decimal text) but come back as the nearest JS number, as ioredis returns them.
 */
export function increment(stored: string | Uint8Array | undefined, by: number): IncrementResult {
  if (stored === undefined) return { ok: true, value: by, text: String(by) }
  const text = typeof stored === 'string' ? stored : decoder.decode(stored)
  if (!CANONICAL_INTEGER.test(text)) return NOT_INTEGER
  // 15 digits always fit a double exactly; the common case avoids BigInt entirely.
  if (text.length <= 15) {
    const sum = Number(text) + by
    if (Number.isSafeInteger(sum)) return { ok: true, value: sum, text: String(sum) }
  }
  const current = BigInt(text)
  if (current > INT64_MAX || current < INT64_MIN) return NOT_INTEGER
  const sum = current + BigInt(by)
  if (sum > INT64_MAX || sum < INT64_MIN) return OVERFLOW
  return { ok: true, value: Number(sum), text: sum.toString() }
}
