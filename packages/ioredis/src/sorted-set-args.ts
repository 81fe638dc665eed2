import type { ScoreBound, SortedSetEntry, ZRangeOptions } from '@cachette/core'

/**
 * Scores and score bounds as Redis reads them. `String(n)` is the shortest text that parses back
 * to the same double, so no precision is lost; infinities and -0 need their Redis spelling.
 */

/** A score as a ZADD argument. */
export function scoreArg(score: number): string {
  if (score === Infinity) return '+inf'
  if (score === -Infinity) return '-inf'
  if (Object.is(score, -0)) return '-0'
  return String(score)
}

/** A {@link ScoreBound} as a ZRANGE / ZREMRANGEBYSCORE argument: `n`, `(n`, `-inf`, `+inf`. */
export function boundArg(bound: ScoreBound): string {
  if (bound === '-inf' || bound === '+inf') return bound
  if (typeof bound === 'number') return scoreArg(bound)
  return `(${scoreArg(bound.exclusive)}`
}

/** A score as Redis replies it (`'1.5'`, `'inf'`, `'-inf'`). */
export function parseScore(text: string): number {
  if (text === 'inf' || text === '+inf') return Infinity
  if (text === '-inf') return -Infinity
  return Number(text)
}

/** Arguments after the key of `ZRANGE key start stop BYSCORE [REV] [LIMIT o c] WITHSCORES`. */
export function zrangeByScoreArgs(min: ScoreBound, max: ScoreBound, options: ZRangeOptions | undefined): (string | number)[] {
  // With REV, Redis takes the *high* bound first; the contract keeps min as the lower bound.
  const args: (string | number)[] = options?.reverse ? [boundArg(max), boundArg(min), 'BYSCORE', 'REV'] : [boundArg(min), boundArg(max), 'BYSCORE']
  if (options?.offset !== undefined || options?.limit !== undefined) args.push('LIMIT', options.offset ?? 0, options.limit ?? -1)
  args.push('WITHSCORES')
  return args
}

/** A flat `[member, score, member, score...]` reply as entries. */
export function parseEntries(flat: readonly string[]): SortedSetEntry[] {
  const entries: SortedSetEntry[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ member: flat[i] as string, score: parseScore(flat[i + 1] as string) })
  return entries
}

/** `[score, member, ...]` arguments of ZADD. */
export function zaddArgs(entries: readonly SortedSetEntry[]): string[] {
  const args: string[] = []
  for (const entry of entries) args.push(scoreArg(entry.score), entry.member)
  return args
}
