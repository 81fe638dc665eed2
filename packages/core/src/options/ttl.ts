import { parseDuration, type Duration } from './duration.js'
import { InvalidDurationError } from '../errors.js'

/**
 * The TTL presets of the seed documents (seed 003's table): sessions 1 h, user profiles 30 min,
 * lists 5 min, dashboard statistics 15 min, static data 24 h. A key uses one by name
 * (`defineKey('session:{id}', { ttl: 'session' })`), and `CACHE_TTL_SESSION=1800` (seconds)
 * or `createCache({ ttls: { session: '30m' } })` overrides it.
 *
 * @example
 * ```ts
 * const sessionKey = defineKey('session:{id}', { ttl: 'session' })   // 1 h unless overridden
 * ttlPresets.list // '5m'
 * ```
 */
export const ttlPresets = Object.freeze({
  session: '1h',
  profile: '30m',
  list: '5m',
  stats: '15m',
  static: '24h',
} as const satisfies Record<string, Duration>)

/** The names of {@link ttlPresets}. */
export type TtlPresetName = keyof typeof ttlPresets

/**
 * The name of a TTL policy: a preset, or any name given in `createCache({ ttls })` or by a
 * `CACHE_TTL_<NAME>` variable (lower-cased: `CACHE_TTL_STATS_DASHBOARD` names `stats_dashboard`).
 */
export type TtlPolicyName = TtlPresetName | (string & {})

/** A TTL as keys and calls give it: a {@link Duration} or the name of a TTL policy. */
export type TtlSpec = Duration | TtlPolicyName

/** Lower-case snake case, starting with a letter; disjoint from durations, which start with a digit. */
export const POLICY_NAME_PATTERN = /^[a-z][a-z0-9_]*$/

/** A TTL spec after parsing: milliseconds, or a policy resolved later against the cache's table. */
export type ParsedTtl = { readonly ms: number; readonly policy?: undefined } | { readonly ms?: undefined; readonly policy: string }

/**
 * Parses a TTL spec once, where it is declared (a key definition, a call option).
 *
 * @throws InvalidDurationError when it is neither a valid duration nor a policy name.
 * @example
 * ```ts
 * parseTtlSpec('10m')     // { ms: 600000 }
 * parseTtlSpec('session') // { policy: 'session' }
 * ```
 */
export function parseTtlSpec(spec: TtlSpec): ParsedTtl {
  if (typeof spec === 'string' && POLICY_NAME_PATTERN.test(spec)) return { policy: spec }
  if (typeof spec !== 'number' && typeof spec !== 'string') {
    throw new InvalidDurationError('[@cachette/core] invalid TTL: expected a duration or the name of a TTL policy')
  }
  return { ms: parseDuration(spec as Duration) }
}

/**
 * Shortens a TTL by a random fraction of at most `jitter`, so entries written together do not
 * expire together. Jitter never lengthens a TTL, so it never breaks a `maxTtl` promise.
 *
 * @example
 * ```ts
 * applyJitter(600_000, 0.1) // somewhere in [540000, 600000]
 * ```
 */
export function applyJitter(ttlMs: number, jitter: number, random: () => number = Math.random): number {
  if (jitter === 0) return ttlMs
  return Math.max(1, ttlMs - Math.floor(random() * jitter * ttlMs))
}
