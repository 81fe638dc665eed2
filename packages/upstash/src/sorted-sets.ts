import type { ScoreBound, SortedSetEntry, ZRangeOptions } from '@cachette/core'
import { invalidArgumentError } from './driver-errors.js'

/*
 * Scores as Redis writes them. Every number is sent as a string: JSON has no Infinity
 * (JSON.stringify(Infinity) is null), and the client's typed commands would send numbers as
 * JSON numbers.
 */

/** A score as ZADD takes it: a decimal, or +inf / -inf. */
export function formatScore(operation: string, score: number): string {
  if (typeof score !== 'number' || Number.isNaN(score)) throw invalidArgumentError(operation, 'a score must be a number, not NaN')
  if (score === Infinity) return '+inf'
  if (score === -Infinity) return '-inf'
  return String(score)
}

/** A range bound: `5`, `(5` (exclusive), `-inf`, `+inf`. */
export function formatBound(operation: string, bound: ScoreBound): string {
  if (bound === '-inf' || bound === '+inf') return bound
  if (typeof bound === 'number' && !Number.isNaN(bound)) return formatScore(operation, bound)
  if (typeof bound === 'object' && bound !== null && typeof bound.exclusive === 'number' && !Number.isNaN(bound.exclusive)) {
    return `(${formatScore(operation, bound.exclusive)}`
  }
  throw invalidArgumentError(operation, 'a score bound must be a number, -inf, +inf or { exclusive: number }')
}

/** Redis writes infinite scores as "inf" / "-inf", which Number() does not read. */
function parseScore(text: string): number {
  if (text === 'inf' || text === '+inf') return Infinity
  if (text === '-inf') return -Infinity
  return Number(text)
}

/** The arguments of ZRANGE key min max BYSCORE [REV] [LIMIT offset count] WITHSCORES. */
export function zrangeArguments(key: string, min: ScoreBound, max: ScoreBound, options: ZRangeOptions | undefined): string[] {
  const low = formatBound('zrangeByScore', min)
  const high = formatBound('zrangeByScore', max)
  const offset = options?.offset ?? 0
  const limit = options?.limit
  if (!Number.isSafeInteger(offset) || (limit !== undefined && !Number.isSafeInteger(limit))) {
    throw invalidArgumentError('zrangeByScore', 'offset and limit must be integers')
  }
  // With REV, Redis takes the bounds highest first; the contract keeps min as the lower bound.
  const args = options?.reverse === true ? ['ZRANGE', key, high, low, 'BYSCORE', 'REV'] : ['ZRANGE', key, low, high, 'BYSCORE']
  if (offset !== 0 || limit !== undefined) args.push('LIMIT', String(offset), String(limit ?? -1))
  args.push('WITHSCORES')
  return args
}

/** A flat WITHSCORES reply `[member, score, member, score, ...]` as entries. */
export function parseWithScores(reply: readonly string[]): SortedSetEntry[] {
  const entries: SortedSetEntry[] = []
  for (let i = 0; i + 1 < reply.length; i += 2) {
    entries.push({ member: reply[i] as string, score: parseScore(reply[i + 1] as string) })
  }
  return entries
}
