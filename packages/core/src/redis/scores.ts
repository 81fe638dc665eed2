import type { ScoreBound, SortedSetEntry, ZRangeOptions } from '../driver/driver.js'
import { checkBound, checkRange, checkScore } from './arguments.js'

/*
 * Scores and score bounds as Redis reads and writes them. Every number goes out as a string:
 * JSON (Upstash REST) has no Infinity, and `String(n)` is the shortest text that parses back to the
 * same double, so no precision is lost. Infinities need their Redis spelling both ways: Redis
 * replies `inf`, which `Number()` reads as NaN.
 */

/**
 * A score as ZADD takes it: its decimal text, or `+inf` / `-inf`. NaN (or a non-number) is refused
 * with `InvalidOptionsError`, never sent.
 *
 * @example
 * ```ts
 * import { scoreArgument } from '@cachette/core/redis'
 *
 * scoreArgument('@cachette/upstash', 'zadd', 1.5) // '1.5'
 * scoreArgument('@cachette/upstash', 'zadd', -Infinity) // '-inf'
 * ```
 */
export function scoreArgument(driver: string, operation: string, score: number): string {
  checkScore(driver, operation, score)
  if (score === Infinity) return '+inf'
  if (score === -Infinity) return '-inf'
  return String(score)
}

/**
 * A {@link ScoreBound} as ZRANGE BYSCORE / ZREMRANGEBYSCORE take it: `5`, `(5` (exclusive), `-inf`,
 * `+inf`. An invalid bound (NaN, an unknown string) is refused with `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * import { boundArgument } from '@cachette/core/redis'
 *
 * boundArgument('@cachette/ioredis', 'zremRangeByScore', { exclusive: 10 }) // '(10'
 * boundArgument('@cachette/ioredis', 'zremRangeByScore', '+inf') // '+inf'
 * ```
 */
export function boundArgument(driver: string, operation: string, bound: ScoreBound): string {
  checkBound(driver, operation, bound)
  if (bound === '-inf' || bound === '+inf') return bound
  if (typeof bound === 'number') return scoreArgument(driver, operation, bound)
  return `(${scoreArgument(driver, operation, bound.exclusive)}`
}

/**
 * A score as Redis replies it (`'1.5'`, `'inf'`, `'-inf'`) as a number.
 *
 * @example
 * ```ts
 * import { parseScore } from '@cachette/core/redis'
 *
 * parseScore('inf') // Infinity
 * parseScore('0.25') // 0.25
 * ```
 */
export function parseScore(text: string): number {
  if (text === 'inf' || text === '+inf') return Infinity
  if (text === '-inf') return -Infinity
  return Number(text)
}

/**
 * The `score member score member...` arguments of ZADD after the key, every score checked.
 *
 * @example
 * ```ts
 * import { zaddArguments } from '@cachette/core/redis'
 *
 * zaddArguments('@cachette/ioredis', 'zadd', [{ member: 'm1', score: 1 }, { member: 'm2', score: Infinity }])
 * // ['1', 'm1', '+inf', 'm2']
 * ```
 */
export function zaddArguments(driver: string, operation: string, entries: readonly SortedSetEntry[]): string[] {
  const args: string[] = []
  for (const entry of entries) args.push(scoreArgument(driver, operation, entry.score), entry.member)
  return args
}

/**
 * The arguments after the key of `ZRANGE key start stop BYSCORE [REV] [LIMIT offset count]
 * WITHSCORES`, bounds and LIMIT checked. With `reverse`, Redis takes the *high* bound first; the
 * contract keeps `min` as the lower bound whatever the order, so the two are swapped here.
 *
 * @example
 * ```ts
 * import { zrangeByScoreArguments } from '@cachette/core/redis'
 *
 * zrangeByScoreArguments('@cachette/upstash', 'zrangeByScore', 0, { exclusive: 5 }, { reverse: true, limit: 10 })
 * // ['(5', '0', 'BYSCORE', 'REV', 'LIMIT', '0', '10', 'WITHSCORES']
 * ```
 */
export function zrangeByScoreArguments(driver: string, operation: string, min: ScoreBound, max: ScoreBound, options: ZRangeOptions | undefined): string[] {
  const low = boundArgument(driver, operation, min)
  const high = boundArgument(driver, operation, max)
  checkRange(driver, operation, options)
  const args = options?.reverse === true ? [high, low, 'BYSCORE', 'REV'] : [low, high, 'BYSCORE']
  // LIMIT with a count of -1 is "no limit": an offset alone still needs one.
  if (options?.offset !== undefined || options?.limit !== undefined) args.push('LIMIT', String(options.offset ?? 0), String(options.limit ?? -1))
  args.push('WITHSCORES')
  return args
}

/**
 * A flat WITHSCORES reply `[member, score, member, score...]` as entries.
 *
 * @example
 * ```ts
 * import { parseWithScores } from '@cachette/core/redis'
 *
 * parseWithScores(['low', '-inf', 'mid', '0.5']) // [{ member: 'low', score: -Infinity }, { member: 'mid', score: 0.5 }]
 * ```
 */
export function parseWithScores(reply: readonly string[]): SortedSetEntry[] {
  const entries: SortedSetEntry[] = []
  for (let i = 0; i + 1 < reply.length; i += 2) entries.push({ member: reply[i] as string, score: parseScore(reply[i + 1] as string) })
  return entries
}
