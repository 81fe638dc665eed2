import { InvalidDurationError } from '../errors.js'

/** The units a duration string may use: milliseconds, seconds, minutes, hours, days. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd'

/**
 * A length of time: a number of milliseconds, or a string such as `'500ms'`, `'10s'`, `'5m'`,
 * `'1h'`, `'1d'`, `'30d'` (one positive number, then one unit, no spaces).
 */
export type Duration = number | `${number}${DurationUnit}`

const UNIT_MS: Readonly<Record<DurationUnit, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/

/**
 * Converts a duration to whole milliseconds (rounded to the nearest millisecond, at least 1).
 * Zero, negative, `NaN` and infinite durations are rejected: every cache entry must expire,
 * and a zero TTL would be rejected by Redis anyway.
 *
 * @throws InvalidDurationError when the value is not a positive, finite duration.
 * @example
 * ```ts
 * parseDuration('5m')   // 300000
 * parseDuration('1.5s') // 1500
 * parseDuration(250)    // 250
 * ```
 */
export function parseDuration(duration: Duration): number {
  let ms: number
  if (typeof duration === 'number') {
    ms = duration
  } else if (typeof duration === 'string') {
    const match = DURATION_PATTERN.exec(duration)
    if (match === null) {
      throw new InvalidDurationError(
        `[@cachette/core] invalid duration '${truncate(duration)}': use a number of milliseconds or a string such as '500ms', '10s', '5m', '1h', '1d'`,
      )
    }
    ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit]
  } else {
    throw new InvalidDurationError(`[@cachette/core] invalid duration: expected a number of milliseconds or a string, got ${typeof duration}`)
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidDurationError('[@cachette/core] invalid duration: it must be positive and finite (every cache entry expires)')
  }
  const rounded = Math.round(ms)
  // Past 2^53 the arithmetic is no longer exact; nobody means a TTL of 285,000 years.
  if (rounded > Number.MAX_SAFE_INTEGER) throw new InvalidDurationError('[@cachette/core] invalid duration: too large')
  return Math.max(1, rounded)
}

/**
 * True when `value` looks like a duration (a number, or a number followed by a unit); says
 * nothing of its range (`parseDuration` checks that).
 *
 * @example
 * ```ts
 * isDurationLike('5m')      // true
 * isDurationLike('session') // false: a TTL policy name
 * ```
 */
export function isDurationLike(value: unknown): value is Duration {
  return typeof value === 'number' || (typeof value === 'string' && DURATION_PATTERN.test(value))
}

/** Durations are configuration, not data; still, keep a pasted blob out of the message. */
function truncate(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text
}
