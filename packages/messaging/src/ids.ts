// Crockford's base32: sorts in byte order as it sorts in time, no I, L, O, U.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

// The last id's time and random digits: ids made in the same millisecond (or after the wall clock
// stepped back) increment them, so one process's ids sort in the order it made them (a monotonic ULID).
let lastTimeMs = -1
const lastRandom: number[] = []

function encodeTime(timeMs: number): string {
  let time = ''
  let rest = timeMs
  for (let index = 0; index < 10; index += 1) {
    time = ALPHABET[rest % 32] + time
    rest = Math.floor(rest / 32)
  }
  return time
}

/**
 * A new identifier: 10 characters of time (ms, 48 bits), then 16 random characters (80 bits from
 * `globalThis.crypto.getRandomValues`, edge-safe), as a monotonic ULID. Ids sort in creation order
 * across processes to the millisecond, and within one process exactly; two instances never
 * produce the same one.
 *
 * @example
 * ```ts
 * newId(Date.now()) // '01JH2X5Q8R7K3M9V0C4T6W2N8B'
 * ```
 */
export function newId(nowMs: number): string {
  const timeMs = Math.floor(nowMs)
  if (timeMs > lastTimeMs || lastRandom.length !== 16) {
    const random = new Uint8Array(16)
    globalThis.crypto.getRandomValues(random)
    lastRandom.length = 0
    // The first digit keeps a bit free, so increments within a millisecond never overflow.
    for (const [index, byte] of random.entries()) lastRandom.push(index === 0 ? byte % 16 : byte % 32)
    lastTimeMs = timeMs
  } else {
    for (let index = 15; index >= 0; index -= 1) {
      const digit = (lastRandom[index] ?? 0) + 1
      if (digit < 32) {
        lastRandom[index] = digit
        break
      }
      lastRandom[index] = 0
    }
  }
  return encodeTime(lastTimeMs) + lastRandom.map((digit) => ALPHABET[digit]).join('')
}
