import type { ScoreBound } from '@cachette/core'

/** Integer parsing, 64-bit limits and score bounds as redis-server applies them, for the reference model. */

/** A Redis error the model reports, by its Cachette code. */
export class ModelError extends Error {
  constructor(readonly code: 'WRONG_TYPE' | 'NOT_INTEGER') {
    super(code)
  }
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/** Redis string2ll: the exact decimal form of a 64-bit integer, nothing else. */
export function parseInteger(text: string): bigint {
  if (!/^-?[0-9]+$/.test(text)) throw new ModelError('NOT_INTEGER')
  const value = BigInt(text)
  if (value.toString() !== text || value > INT64_MAX || value < INT64_MIN) throw new ModelError('NOT_INTEGER')
  return value
}

/** INCRBY: the stored text (absent = 0) plus `by`, refusing to leave the 64-bit range. */
export function add(text: string | undefined, by: number): bigint {
  const sum = (text === undefined ? 0n : parseInteger(text)) + BigInt(by)
  if (sum > INT64_MAX || sum < INT64_MIN) throw new ModelError('NOT_INTEGER')
  return sum
}

/** True when `score` is at or above the lower bound of a BYSCORE range. */
export function inLower(score: number, bound: ScoreBound): boolean {
  if (bound === '-inf') return true
  if (bound === '+inf') return false
  return typeof bound === 'number' ? score >= bound : score > bound.exclusive
}

/** True when `score` is at or below the upper bound of a BYSCORE range. */
export function inUpper(score: number, bound: ScoreBound): boolean {
  if (bound === '+inf') return true
  if (bound === '-inf') return false
  return typeof bound === 'number' ? score <= bound : score < bound.exclusive
}
