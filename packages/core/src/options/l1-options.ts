import * as z from 'zod'
import { isDurationLike, parseDuration, type Duration } from './duration.js'
import type { DriverCapabilities } from '../driver/driver.js'

/** The object form of `createCache({ l1 })`: a memory tier in front of the store. */
export interface L1Options {
  /**
   * Entries the memory tier holds at most; past it, the least recently used are evicted first.
   *
   * @default 10000
   * @example
   * ```ts
   * createCache({ driver, l1: { maxEntries: 50_000 } })
   * ```
   */
  readonly maxEntries?: number
  /**
   * Bytes of payload the memory tier holds at most (a text payload counts 2 bytes per UTF-16
   * code unit, as V8 may store it). Past it, the least recently used are evicted first.
   *
   * @default 67108864 (64 MiB)
   * @example
   * ```ts
   * createCache({ driver, l1: { maxBytes: 16 * 1024 * 1024 } })
   * ```
   */
  readonly maxBytes?: number
  /**
   * How long an entry is served from memory before the store is asked again; never longer than
   * the entry's own TTL. It bounds how long a process can serve a value whose invalidation it
   * missed for a reason the bus cannot see.
   *
   * @default '1m'
   * @example
   * ```ts
   * createCache({ driver, l1: { ttl: '10s' } })
   * ```
   */
  readonly ttl?: Duration
  /**
   * Whether writes and invalidations are announced to the other processes over the driver's
   * pub/sub (the invalidation bus), which needs a driver with `pubsub`. `false` is for a single
   * process, or when the L1 TTL alone bounds staleness well enough: other processes' writes are
   * then seen only when an L1 entry expires.
   *
   * @default true
   * @example
   * ```ts
   * createCache({ driver, l1: { bus: false, ttl: '5s' } }) // one process, or 5 s of staleness is fine
   * ```
   */
  readonly bus?: boolean
  /**
   * Server-assisted client-side caching instead of the bus: Redis itself (`CLIENT TRACKING`,
   * through a driver with `tracking`, such as `@cachette/redis`) tells this process which keys
   * changed, whoever changed them: another process, another service, `redis-cli`. `true` is
   * Redis's default mode (only keys this process read are reported; a value this process wrote is
   * not kept in memory until it is read back). `{ broadcast: true }` is its BCAST mode with the
   * cache's prefix (every change under the prefix is reported to every process, read or not; no
   * memory on the server; needs a `prefix`). The bus is off unless asked for.
   * @default false
   * @example
   * ```ts
   * createCache({ driver: redisDriver({ url }), prefix: 'identity', l1: { tracking: true } })
   * ```
   */
  readonly tracking?: boolean | { readonly broadcast?: boolean }
}

/** `createCache({ l1 })` as the cache uses it. */
export interface ResolvedL1 {
  readonly maxEntries: number
  readonly maxBytes: number
  readonly ttlMs: number
  readonly bus: boolean
  /** Client-side caching: off, Redis's default tracking mode, or broadcast with the cache's prefix. */
  readonly tracking: false | 'default' | 'broadcast'
}

/** The zod schema of `createCache({ l1 })`. */
export const l1Schema = z.union([
  z.boolean(),
  z.strictObject({
    maxEntries: z.number().int().min(1).max(100_000_000).optional(),
    maxBytes: z.number().int().min(1024).max(Number.MAX_SAFE_INTEGER).optional(),
    ttl: z.custom<Duration>((value) => isDurationLike(value), { message: "expected a duration: milliseconds, or a string such as '500ms', '10s', '5m'" }).optional(),
    bus: z.boolean().optional(),
    tracking: z.union([z.boolean(), z.strictObject({ broadcast: z.boolean().optional() })]).optional(),
  }),
])

const DEFAULTS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttlMs: 60_000, bus: true } as const

/**
 * The (already schema-checked) option as the cache uses it, or undefined when off. A problem (a
 * bus on a driver without pub/sub, a TTL of 0) is added to `problems`.
 *
 * @example
 * ```ts
 * resolveL1({ ttl: '10s' }, driver.capabilities, problems) // { maxEntries: 10000, maxBytes: 67108864, ttlMs: 10000, bus: true, tracking: false }
 * ```
 */
export function resolveL1(option: boolean | L1Options | undefined, capabilities: DriverCapabilities | undefined, driverName: string, problems: string[], keyPrefix = ''): ResolvedL1 | undefined {
  if (option === undefined || option === false) return undefined
  const given = option === true ? {} : option
  let ttlMs: number = DEFAULTS.ttlMs
  if (given.ttl !== undefined) {
    try {
      ttlMs = parseDuration(given.ttl)
    } catch {
      problems.push('l1.ttl: not a valid duration')
    }
    if (!(ttlMs > 0)) problems.push('l1.ttl: must be more than 0')
  }
  const tracking = given.tracking === undefined || given.tracking === false ? false : given.tracking === true || given.tracking.broadcast !== true ? 'default' : 'broadcast'
  if (tracking !== false && capabilities?.tracking !== true) {
    problems.push(`l1.tracking: client-side caching needs a driver with tracking (Redis CLIENT TRACKING, such as @cachette/redis), and the '${driverName}' driver has none: use the bus instead`)
  }
  if (tracking === 'broadcast' && keyPrefix === '') problems.push('l1.tracking: broadcast mode tracks the cache\'s prefix, and this cache has none: give it a prefix, or use tracking: true')
  if (tracking !== false && given.bus === true) problems.push('l1: tracking and bus are two ways to hear of changes; pick one (tracking also hears writes made outside Cachette)')
  const bus = given.bus ?? (tracking === false ? DEFAULTS.bus : false)
  if (bus && capabilities?.pubsub !== true) {
    problems.push(`l1: the invalidation bus needs a driver with pub/sub, and the '${driverName}' driver has none: use another driver, or l1: { bus: false } if one process uses this store`)
  }
  return { maxEntries: given.maxEntries ?? DEFAULTS.maxEntries, maxBytes: given.maxBytes ?? DEFAULTS.maxBytes, ttlMs, bus, tracking }
}
