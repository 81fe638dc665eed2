import * as z from 'zod'
import { isDurationLike, parseDuration, type Duration } from './duration.js'
import { InvalidOptionsError, isCacheError } from '../errors.js'
import { describeIssues, type Issue } from '../keys/zod-issues.js'

/**
 * The per-load resilience options: grace (stale-if-error), stale-while-revalidate, loader
 * timeouts, early refresh and the distributed lock. They can be set on the cache
 * (`createCache`), on a key definition (`defineKey`) and on one call (`getOrSet`, `set`); the
 * most specific wins, and `false` turns an inherited setting off. See docs/resilience.md.
 */
export interface ResilienceOptions {
  /**
   * Stale-if-error: how long an entry stays in the store after its TTL, to be served (marked
   * stale) when the loader fails or times out. The store TTL of the entry becomes TTL + grace
   * (capped at `maxTtl`); the entry records when it stops being fresh. `get()` and `has()` treat
   * a stale entry as a miss; only getOrSet serves it, and only when the loader cannot answer.
   *
   * @default false (no grace: an entry disappears at its TTL)
   * @example
   * ```ts
   * createCache({ ttl: '5m', grace: '6h' })  // serve a patient card up to 6 h old while the database is down
   * ```
   */
  readonly grace?: Duration | false
  /**
   * After the loader failed (or timed out) and a stale value was served, how long getOrSet keeps
   * serving the stale value for that key before calling the loader again, counted from the
   * failure. A failing source is then called at most once per back-off per key and process.
   * `0` retries on every call.
   *
   * @default '10s'
   * @example
   * ```ts
   * createCache({ grace: '1h', graceBackoff: '30s' })
   * ```
   */
  readonly graceBackoff?: Duration
  /**
   * Stale-while-revalidate: within the grace period, getOrSet answers at once with the stale
   * value and refreshes the entry in the background (one loader run per key). Needs `grace`.
   *
   * @default false (a stale entry is refreshed before answering; it is served only if that fails)
   * @example
   * ```ts
   * defineKey('stats:dashboard', { ttl: '5m', grace: '1h', staleWhileRevalidate: true })
   * ```
   */
  readonly staleWhileRevalidate?: boolean
  /**
   * Loader timeouts. `soft`: when a stale value exists, serve it after this long and let the
   * loader finish in the background (its result refreshes the entry). `hard`: never wait longer
   * for the loader; with a stale value it is served, without one the call rejects with a
   * `LoaderTimeoutError`. The loader is never cancelled: when it answers late, its value is
   * stored for the next callers. `false` removes inherited timeouts.
   *
   * @default false (wait for the loader as long as it takes)
   * @example
   * ```ts
   * cache.getOrSet(key, load, { loaderTimeout: { soft: '200ms', hard: '3s' } })
   * ```
   */
  readonly loaderTimeout?: LoaderTimeoutOptions | false
  /**
   * Early refresh by probabilistic early expiration (XFetch): on a fresh hit, getOrSet refreshes
   * the entry in the background with a probability that rises as the end of its TTL nears,
   * scaled by how long its loader took and by `beta`. Hot keys are then refreshed before they
   * expire, one process at a time, instead of all callers missing together. `true` is `{ beta: 1 }`.
   *
   * @default false
   * @example
   * ```ts
   * defineKey('fhir:export:{type}:ej:{ejId}', { ttl: '1h', earlyRefresh: { beta: 2 } })
   * ```
   */
  readonly earlyRefresh?: boolean | EarlyRefreshOptions
  /**
   * Distributed stampede lock: on a miss, the processes sharing the store take a lock
   * (`SET NX PX` with a random token) so that one of them runs the loader; the others poll the
   * store and pick the value up when it lands. The lock expires by itself (`ttl`), so a holder
   * that dies blocks nobody longer than that; a waiter never waits longer than `wait`, then
   * calls the loader itself. Costs one more round trip per miss. `true` uses the defaults.
   *
   * @default false (single flight per process only)
   * @example
   * ```ts
   * createCache({ driver: ioredisDriver({ url }), lock: { ttl: '10s', wait: '5s' } })
   * ```
   */
  readonly lock?: boolean | DistributedLockOptions
  /**
   * Conditional refresh: on a getOrSet hit whose entry has at most `window` of its store TTL left,
   * the loader runs in the background with `ctx.previous` (the value and its `validator`: an ETag,
   * a FHIR `meta.versionId`, a `lastUpdated`). If the source did not change, the loader returns
   * `ctx.notModified()`: the entry's TTL is renewed (one PEXPIRE), the value is neither rebuilt
   * nor rewritten. Otherwise it returns the new value, written like any load's (fenced). One PTTL
   * per key and per `window / 8` at most; needs a driver with `inspection` (PTTL). Works with
   * `wire: 'plain'` (the store's TTL carries it). Not with grace, staleWhileRevalidate or
   * earlyRefresh, whose freshness lives in the envelope.
   *
   * @default false
   * @example
   * ```ts
   * cache.getOrSet(exportKey({ type: 'venues', ejId }), async (ctx) => {
   *   const version = await db.venuesVersion(ejId)
   *   if (ctx.previous?.validator === version) return ctx.notModified() // renewed, not rebuilt
   *   return buildVenuesBundle(ejId)
   * }, { ttl: '5m', revalidate: { window: '1m', validator: (bundle) => bundle.meta.versionId } })
   * ```
   */
  readonly revalidate?: false | RevalidateOptions
}

/** Options of {@link ResilienceOptions.revalidate}. */
export interface RevalidateOptions {
  /**
   * How much of the entry's store TTL may be left when a hit starts a revalidation.
   *
   * @example
   * ```ts
   * defineKey('fhir:export:{type}:ej:{ejId}', { ttl: '1h', revalidate: { window: '5m' } })
   * ```
   */
  readonly window: Duration
  /**
   * The validator of a value, given to the loader as `ctx.previous.validator`; never stored, never logged.
   *
   * @default none (`ctx.previous.validator` is undefined: compare `ctx.previous.value` yourself)
   * @example
   * ```ts
   * cache.getOrSet(key, load, { revalidate: { window: '1m', validator: (bundle) => bundle.meta?.versionId } })
   * ```
   */
  readonly validator?: (value: any) => string | undefined
}

/** Options of {@link ResilienceOptions.loaderTimeout}. */
export interface LoaderTimeoutOptions {
  /**
   * Serve the stale value after this long (only when one exists); the loader goes on in the background.
   *
   * @default none
   * @example
   * ```ts
   * createCache({ driver, grace: '1h', loaderTimeout: { soft: '300ms' } })
   * ```
   */
  readonly soft?: Duration
  /**
   * Stop waiting after this long: the stale value if any, else a `LoaderTimeoutError`.
   *
   * @default none
   * @example
   * ```ts
   * defineKey('fhir:export:{type}:ej:{ejId}', { ttl: '1h', loaderTimeout: { hard: '5s' } })
   * ```
   */
  readonly hard?: Duration
}

/** Options of {@link ResilienceOptions.earlyRefresh}. */
export interface EarlyRefreshOptions {
  /**
   * XFetch's beta: above 1 refreshes earlier, below 1 later. A refresh starts when
   * `now - loaderDuration × beta × ln(random()) >= freshUntil`.
   *
   * @default 1
   * @example
   * ```ts
   * defineKey('stats:dashboard', { ttl: '5m', earlyRefresh: { beta: 2 } }) // refresh earlier than beta 1
   * ```
   */
  readonly beta?: number
}

/** Options of {@link ResilienceOptions.lock}. */
export interface DistributedLockOptions {
  /**
   * How long the lock lives in the store: a holder that dies blocks the others at most this long.
   * Set it above your loader's worst duration.
   *
   * @default '5s'
   * @example
   * ```ts
   * createCache({ driver, lock: { ttl: '30s' } }) // the loader may take up to 20 s
   * ```
   */
  readonly ttl?: Duration
  /**
   * How long a process that did not get the lock waits for the holder's value before running
   * the loader itself.
   *
   * @default the lock's ttl
   * @example
   * ```ts
   * createCache({ driver, lock: { ttl: '10s', wait: '2s' } }) // past 2 s a waiter loads it itself
   * ```
   */
  readonly wait?: Duration
  /**
   * First interval between two polls of the store while waiting; each next interval is 1.5×
   * longer, up to 250 ms.
   *
   * @default '20ms'
   * @example
   * ```ts
   * createCache({ driver, lock: { ttl: '5s', pollInterval: '50ms' } })
   * ```
   */
  readonly pollInterval?: Duration
}

/** The distributed lock settings after parsing. */
export interface LockPolicy {
  readonly ttlMs: number
  readonly waitMs: number
  readonly pollMs: number
}

/** The resilience settings of one load, after merging cache, key and call options. */
export interface LoadPolicy {
  /** 0: no grace. */
  readonly graceMs: number
  readonly graceBackoffMs: number
  readonly staleWhileRevalidate: boolean
  /** 0: none. */
  readonly softTimeoutMs: number
  /** 0: none. */
  readonly hardTimeoutMs: number
  /** 0: no early refresh. */
  readonly earlyRefreshBeta: number
  readonly lock: LockPolicy | undefined
  /** Entries record when they stop being fresh (grace, stale-while-revalidate or early refresh is on). */
  readonly timed: boolean
  /** 0: no conditional refresh. */
  readonly revalidateWindowMs: number
  readonly validator: ((value: unknown) => string | undefined) | undefined
}

/** The policy of a cache without any resilience option: what every plain hit costs nothing to ignore. */
export const DEFAULT_LOAD_POLICY: LoadPolicy = Object.freeze({
  graceMs: 0,
  graceBackoffMs: 10_000,
  staleWhileRevalidate: false,
  softTimeoutMs: 0,
  hardTimeoutMs: 0,
  earlyRefreshBeta: 0,
  lock: undefined,
  timed: false,
  revalidateWindowMs: 0,
  validator: undefined,
})

const MAX_POLL_MS = 250
const durationSchema = z.custom<Duration>((value) => isDurationLike(value), {
  message: "expected a duration: milliseconds, or a string such as '500ms', '10s', '5m', '1h', '1d'",
})

/** The zod shape of {@link ResilienceOptions}, spread into the cache's, key's and call's schemas. */
export const resilienceShape = {
  grace: z.union([z.literal(false), durationSchema]).optional(),
  graceBackoff: durationSchema.optional(),
  staleWhileRevalidate: z.boolean().optional(),
  loaderTimeout: z.union([z.literal(false), z.strictObject({ soft: durationSchema.optional(), hard: durationSchema.optional() })]).optional(),
  earlyRefresh: z.union([z.boolean(), z.strictObject({ beta: z.number().positive().max(100).optional() })]).optional(),
  lock: z
    .union([z.boolean(), z.strictObject({ ttl: durationSchema.optional(), wait: durationSchema.optional(), pollInterval: durationSchema.optional() })])
    .optional(),
  revalidate: z
    .union([
      z.literal(false),
      z.strictObject({
        window: durationSchema,
        validator: z.custom<(value: unknown) => string | undefined>((value) => typeof value === 'function', { message: 'expected a function' }).optional(),
      }),
    ])
    .optional(),
}

const resilienceSchema = z.strictObject(resilienceShape)

/**
 * True when `options` sets at least one resilience field (so a call without any costs nothing).
 *
 * @example
 * ```ts
 * hasResilienceOptions({ ttl: '5m' })    // false
 * hasResilienceOptions({ grace: '1h' })  // true
 * ```
 */
export function hasResilienceOptions(options: object): boolean {
  const o = options as ResilienceOptions
  return (
    o.grace !== undefined ||
    o.graceBackoff !== undefined ||
    o.staleWhileRevalidate !== undefined ||
    o.loaderTimeout !== undefined ||
    o.earlyRefresh !== undefined ||
    o.lock !== undefined ||
    o.revalidate !== undefined
  )
}

function ms(name: string, duration: Duration, problems: string[]): number {
  try {
    return parseDuration(duration)
  } catch (error) {
    problems.push(`${name}: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'invalid duration'}`)
    return 0
  }
}

/**
 * Merges `options` over `base` into a policy. Validates `options` with zod unless the caller
 * already did (`validated`), and reports every problem at once.
 *
 * @throws InvalidOptionsError naming each invalid field, prefixed by `where`.
 * @example
 * ```ts
 * const policy = mergeLoadPolicy(DEFAULT_LOAD_POLICY, { grace: '1h' }, 'createCache options')
 * policy.graceMs // 3600000
 * ```
 */
export function mergeLoadPolicy(base: LoadPolicy, options: ResilienceOptions, where: string, validated = false): LoadPolicy {
  if (!validated) {
    const subset: Record<string, unknown> = {}
    for (const name of Object.keys(resilienceShape)) {
      const value = (options as Record<string, unknown>)[name]
      if (value !== undefined) subset[name] = value
    }
    const parsed = resilienceSchema.safeParse(subset)
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues as readonly Issue[])
      throw new InvalidOptionsError(`[@cachette/core] ${where} are invalid: ${problems.join('; ')}`, { cause: parsed.error })
    }
  }
  const problems: string[] = []
  const graceMs = options.grace === undefined ? base.graceMs : options.grace === false ? 0 : ms('grace', options.grace, problems)
  // 0 is allowed here (and only here): no back-off, the loader is tried on every stale read.
  const graceBackoffMs =
    options.graceBackoff === undefined ? base.graceBackoffMs : options.graceBackoff === 0 ? 0 : ms('graceBackoff', options.graceBackoff, problems)
  let softTimeoutMs = base.softTimeoutMs
  let hardTimeoutMs = base.hardTimeoutMs
  if (options.loaderTimeout === false) {
    softTimeoutMs = 0
    hardTimeoutMs = 0
  } else if (options.loaderTimeout !== undefined) {
    if (options.loaderTimeout.soft !== undefined) softTimeoutMs = ms('loaderTimeout.soft', options.loaderTimeout.soft, problems)
    if (options.loaderTimeout.hard !== undefined) hardTimeoutMs = ms('loaderTimeout.hard', options.loaderTimeout.hard, problems)
  }
  if (softTimeoutMs > 0 && hardTimeoutMs > 0 && softTimeoutMs > hardTimeoutMs) problems.push('loaderTimeout: soft must not exceed hard')
  const early = options.earlyRefresh
  const earlyRefreshBeta = early === undefined ? base.earlyRefreshBeta : early === false ? 0 : early === true ? 1 : (early.beta ?? 1)
  let lock = base.lock
  if (options.lock === false) lock = undefined
  else if (options.lock !== undefined) {
    const given = options.lock === true ? {} : options.lock
    const ttlMs = given.ttl === undefined ? (lock?.ttlMs ?? 5_000) : ms('lock.ttl', given.ttl, problems)
    const waitMs = given.wait === undefined ? ttlMs : ms('lock.wait', given.wait, problems)
    const pollMs = given.pollInterval === undefined ? 20 : Math.min(ms('lock.pollInterval', given.pollInterval, problems), MAX_POLL_MS)
    lock = { ttlMs, waitMs, pollMs: Math.max(1, pollMs) }
  }
  let revalidateWindowMs = base.revalidateWindowMs
  let validator = base.validator
  if (options.revalidate === false) {
    revalidateWindowMs = 0
    validator = undefined
  } else if (options.revalidate !== undefined) {
    revalidateWindowMs = ms('revalidate.window', options.revalidate.window, problems)
    validator = options.revalidate.validator
  }
  const staleWhileRevalidate = options.staleWhileRevalidate ?? base.staleWhileRevalidate
  const timed = graceMs > 0 || earlyRefreshBeta > 0
  if (revalidateWindowMs > 0 && (timed || staleWhileRevalidate)) {
    problems.push('revalidate: not with grace, staleWhileRevalidate or earlyRefresh (their freshness lives in the entry; revalidate renews the store TTL)')
  }
  if (problems.length > 0) throw new InvalidOptionsError(`[@cachette/core] ${where} are invalid: ${problems.join('; ')}`)
  return Object.freeze({
    graceMs,
    graceBackoffMs,
    staleWhileRevalidate,
    softTimeoutMs,
    hardTimeoutMs,
    earlyRefreshBeta,
    lock,
    timed,
    revalidateWindowMs,
    validator,
  })
}
