import { defineKey, type Cache, type CacheEnv, type Duration, type Key, type StandardSchemaV1 } from '@cachette/core'
import * as z from 'zod'
import { durationSchema, envSchema, objectWith, parseOptions, resolveTtlMs } from './option-support.js'

/** Options of {@link createProfessionalCache}. */
export interface ProfessionalCacheOptions<T> {
  /**
   * The cache; create it with `prefix: 'identity'` for seed 001's `identity:professional:<id>`.
   *
   * @example
   * ```ts
   * createProfessionalCache({ cache: createCache({ driver, prefix: 'identity' }) })
   * ```
   */
  readonly cache: Cache
  /**
   * Validates cached records on read (zod or any Standard Schema): a failing entry is a miss, deleted and counted.
   *
   * @default no validation
   * @example
   * ```ts
   * createProfessionalCache({ cache, schema: ProfessionalSchema }) // getById resolves a typed professional
   * ```
   */
  readonly schema?: StandardSchemaV1<unknown, T>
  /**
   * Entry TTL; `CACHE_TTL_PROFESSIONAL` (seconds) overrides it.
   *
   * @default '10m' (seed 001)
   * @example
   * ```ts
   * createProfessionalCache({ cache, ttl: '30m' }) // CACHE_TTL_PROFESSIONAL=600 would still win
   * ```
   */
  readonly ttl?: Duration
  /**
   * Variables to read `CACHE_TTL_PROFESSIONAL` from; `false` reads none.
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createProfessionalCache({ cache, env: false }) // tests: CACHE_TTL_PROFESSIONAL is not read
   * ```
   */
  readonly env?: CacheEnv | false
}

/** Seed 001's professional cache: `professional:{id}` below the cache prefix, 10 minutes. */
export interface ProfessionalCache<T> {
  /** The entry TTL in ms. */
  readonly ttlMs: number
  /**
   * The cached professional, else `load(id)`'s, stored for `ttlMs` (cache-aside, single flight; `undefined` is not cached).
   *
   * @example
   * ```ts
   * await professionals.getById(123, (id) => db.loadProfessional(id))
   * ```
   */
  getById(id: string | number, load: (id: string | number) => Promise<T | undefined>): Promise<T | undefined>
  /**
   * Drops a professional's entry (after the database commit). Rejects on a store failure.
   *
   * @example
   * ```ts
   * await professionals.invalidate(123)
   * ```
   */
  invalidate(id: string | number): Promise<number>
}

/** Options of {@link createDashboardStatsCache}. */
export interface DashboardStatsCacheOptions<T> {
  /**
   * The cache; create it with `prefix: 'identity'` for seed 001's `identity:stats:dashboard`.
   *
   * @example
   * ```ts
   * createDashboardStatsCache({ cache: createCache({ driver, prefix: 'identity' }) })
   * ```
   */
  readonly cache: Cache
  /**
   * Validates cached statistics on read.
   *
   * @default no validation
   * @example
   * ```ts
   * createDashboardStatsCache({ cache, schema: DashboardStatsSchema }) // get() resolves typed statistics
   * ```
   */
  readonly schema?: StandardSchemaV1<unknown, T>
  /**
   * Entry TTL; `CACHE_TTL_STATS_DASHBOARD` (seconds) overrides it.
   *
   * @default '5m' (seed 001: aggregates tolerate a little staleness)
   * @example
   * ```ts
   * createDashboardStatsCache({ cache, ttl: '1m' }) // CACHE_TTL_STATS_DASHBOARD=300 would still win
   * ```
   */
  readonly ttl?: Duration
  /**
   * Variables to read `CACHE_TTL_STATS_DASHBOARD` from; `false` reads none.
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createDashboardStatsCache({ cache, env: false }) // tests: CACHE_TTL_STATS_DASHBOARD is not read
   * ```
   */
  readonly env?: CacheEnv | false
}

/** Seed 001's dashboard statistics cache: `stats:dashboard` below the cache prefix, 5 minutes. */
export interface DashboardStatsCache<T> {
  /** The entry TTL in ms. */
  readonly ttlMs: number
  /**
   * The cached statistics, else `compute()`'s, stored for `ttlMs`.
   *
   * @example
   * ```ts
   * await dashboard.get(() => db.dashboardStatistics())
   * ```
   */
  get(compute: () => Promise<T>): Promise<T>
  /**
   * Drops the cached statistics. Rejects on a store failure.
   *
   * @example
   * ```ts
   * await dashboard.invalidate()
   * ```
   */
  invalidate(): Promise<number>
}

const familySchema = z.strictObject({
  cache: objectWith(['getOrSet', 'invalidate'], 'expected a Cache from createCache()'),
  schema: z
    .custom<unknown>((value) => typeof (value as { '~standard'?: { validate?: unknown } } | undefined)?.['~standard']?.validate === 'function', {
      message: 'expected a Standard Schema (zod, valibot...)',
    })
    .optional(),
  ttl: durationSchema.optional(),
  env: envSchema.optional(),
})

/**
 * Seed 001's professional cache (`identity:professional:{id}` with a cache prefixed `identity`, 10 min).
 *
 * @throws InvalidOptionsError for invalid options.
 * @example
 * ```ts
 * const professionals = createProfessionalCache({ cache, schema: ProfessionalSchema })
 * const pro = await professionals.getById(123, (id) => db.loadProfessional(id))
 * ```
 */
export function createProfessionalCache<T = unknown>(options: ProfessionalCacheOptions<T>): ProfessionalCache<T> {
  parseOptions(familySchema, options, 'createProfessionalCache')
  const ttlMs = resolveTtlMs('createProfessionalCache', 'professional', options.ttl, '10m', options.env)
  const definition = defineKey('professional:{id}', { label: 'professional', ...(options.schema === undefined ? {} : { schema: options.schema }) }) as unknown as (params: {
    id: string | number
  }) => Key<T>
  const { cache } = options
  return Object.freeze({
    ttlMs,
    getById: (id: string | number, load: (id: string | number) => Promise<T | undefined>) =>
      cache.getOrSet<T, T | undefined>(definition({ id }), () => load(id), { ttl: ttlMs }) as Promise<T | undefined>,
    invalidate: (id: string | number) => cache.invalidate(definition({ id })),
  })
}

/**
 * Seed 001's dashboard statistics cache (`identity:stats:dashboard` with a cache prefixed `identity`, 5 min).
 *
 * @throws InvalidOptionsError for invalid options.
 * @example
 * ```ts
 * const dashboard = createDashboardStatsCache({ cache })
 * const stats = await dashboard.get(() => db.dashboardStatistics())
 * ```
 */
export function createDashboardStatsCache<T = unknown>(options: DashboardStatsCacheOptions<T>): DashboardStatsCache<T> {
  parseOptions(familySchema, options, 'createDashboardStatsCache')
  const ttlMs = resolveTtlMs('createDashboardStatsCache', 'stats_dashboard', options.ttl, '5m', options.env)
  const key = defineKey('stats:dashboard', { label: 'stats', ...(options.schema === undefined ? {} : { schema: options.schema }) })() as unknown as Key<T>
  const { cache } = options
  return Object.freeze({
    ttlMs,
    get: (compute: () => Promise<T>) => cache.getOrSet<T>(key, compute, { ttl: ttlMs }) as Promise<T>,
    invalidate: () => cache.invalidate(key),
  })
}
