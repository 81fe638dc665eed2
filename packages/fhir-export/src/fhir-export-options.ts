import { InvalidOptionsError, type Cache, type CacheEnv, type Duration, type StandardSchemaV1 } from '@cachette/core'
import * as z from 'zod'

/** An export type: `structure`, `patients`, `venues` (built in) or any other name of lower-case letters, digits, `_` and `-`. */
export type FhirExportType = 'structure' | 'patients' | 'venues' | (string & {})

/** A legal entity (entité juridique) identifier, as the seed's `{ej_id}`. */
export type EjId = string | number

/**
 * The types with a TTL of their own in the seed: structure changes rarely, patients occasionally,
 * venues (movements) all the time.
 *
 * @example
 * ```ts
 * BUILT_IN_TTLS.venues // '5m'
 * ```
 */
export const BUILT_IN_TTLS = Object.freeze({ structure: '1h', patients: '10m', venues: '5m' } as const)

/**
 * What an export type may be: it becomes a segment of the shared key and part of an environment
 * variable's name, so 1 to 64 lower-case letters, digits, `_` or `-`, starting with a letter.
 *
 * @example
 * ```ts
 * EXPORT_TYPE_PATTERN.test('medication-requests') // true
 * EXPORT_TYPE_PATTERN.test('venues:*')            // false
 * ```
 */
export const EXPORT_TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/

/** Options of {@link createFhirExportCache}. */
export interface FhirExportCacheOptions<T = unknown> {
  /**
   * The cache the exports live in. To share them with the seed's Python service (the default,
   * `shared: true`) create it with `wire: 'plain'` and no `prefix`: the entries are then exactly
   * `SETEX fhir:export:{type}:ej:{ejId} <ttl> <json>`. Its driver, deadline, circuit breaker,
   * invalidation queue, meter, logger and kill switch serve the exports.
   *
   * @example
   * ```ts
   * createFhirExportCache({ cache: createCache({ driver: ioredisDriver({ url }), wire: 'plain' }) })
   * ```
   */
  readonly cache: Cache
  /**
   * Whether the entries are shared with a service outside Cachette (the seed's Python exporter
   * reading `fhir:export:*` with `json.loads`). When true, a cache that would store them in another
   * layout is refused with an InvalidOptionsError: `wire` other than `'plain'`, a `prefix`, or the
   * fence on (its `@cf …` tombstones are not JSON). `false` accepts any cache: the entries are then
   * Cachette's alone.
   *
   * @default true
   * @example
   * ```ts
   * createFhirExportCache({ cache: createCache({ prefix: 'exports' }), shared: false }) // Cachette only
   * ```
   */
  readonly shared?: boolean
  /**
   * TTL per export type, in code (a duration). `CACHE_TTL_FHIR_<TYPE>` (seconds) wins over it.
   * Types not listed and not built in get `defaultTtl`.
   *
   * @default { structure: '1h', patients: '10m', venues: '5m' } (seed 002)
   * @example
   * ```ts
   * createFhirExportCache({ cache, ttls: { venues: '2m', imaging: '30m' } })
   * ```
   */
  readonly ttls?: Readonly<Record<string, Duration>>
  /**
   * TTL of the types that have none of their own; `CACHE_TTL` (seconds, the seed's variable) wins over it.
   *
   * @default '1h' (the seed's `CACHE_TTL=3600`)
   * @example
   * ```ts
   * createFhirExportCache({ cache, defaultTtl: '15m' }) // CACHE_TTL=600 would still win
   * ```
   */
  readonly defaultTtl?: Duration
  /**
   * Variables to read `CACHE_TTL` and `CACHE_TTL_FHIR_<TYPE>` from (seconds); `false` reads none.
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createFhirExportCache({ cache, env: false }) // tests: the TTLs are the code's
   * ```
   */
  readonly env?: CacheEnv | false
  /**
   * The `key_prefix` label of the package's metrics and log lines.
   *
   * @default 'fhir_export'
   * @example
   * ```ts
   * createFhirExportCache({ cache, label: 'fhir_export_ej' }) // fhir_export_duration_bucket{key_prefix="fhir_export_ej",...}
   * ```
   */
  readonly label?: string
  /**
   * Validates exports read from the store (zod or any Standard Schema): an entry that fails is a
   * miss, deleted and counted, and the export is built again. Useful when another service writes them.
   *
   * @default no validation
   * @example
   * ```ts
   * createFhirExportCache({ cache, schema: z.object({ resourceType: z.literal('Bundle') }).passthrough() })
   * ```
   */
  readonly schema?: StandardSchemaV1<unknown, T>
  /**
   * Conditional refresh: an export read while its remaining TTL is within `window` is served, and
   * rebuilt in the background; the build sees the version of the export it replaces and may answer
   * "not modified", which renews the entry's TTL without rewriting it.
   *
   * @default off (an export expires and is built again on the next request)
   * @example
   * ```ts
   * createFhirExportCache({ cache, revalidate: { window: '1m' } }) // version: Bundle.meta.versionId, else meta.lastUpdated
   * ```
   */
  readonly revalidate?: FhirRevalidateOptions<T>
}

/** Options of conditional refresh ({@link FhirExportCacheOptions.revalidate}). */
export interface FhirRevalidateOptions<T = unknown> {
  /**
   * How long before its expiry a read export is refreshed in the background.
   *
   * @example
   * ```ts
   * createFhirExportCache({ cache, revalidate: { window: '1m' } })
   * ```
   */
  readonly window: Duration
  /**
   * The version of a stored export (a FHIR `meta.versionId`, `meta.lastUpdated`, an ETag), handed
   * to the build as `previousVersion`.
   *
   * @default the Bundle's `meta.versionId`, else its `meta.lastUpdated`
   * @example
   * ```ts
   * createFhirExportCache({ cache, revalidate: { window: '1m', versionOf: (bundle) => bundle.meta?.tag?.[0]?.code } })
   * ```
   */
  readonly versionOf?: (exported: T) => string | undefined
}

/** The options after validation. */
export interface ResolvedFhirExportOptions {
  readonly shared: boolean
  readonly label: string
  readonly ttls: Readonly<Record<string, Duration>>
  readonly defaultTtl: Duration
  readonly env: CacheEnv
}

const duration = z.union([z.number(), z.string()], { error: "expected a duration (ms, or a string such as '10s', '5m', '1h')" })
const perType = z.record(z.string(), duration).superRefine((ttls, context) => {
  for (const type of Object.keys(ttls)) {
    if (!EXPORT_TYPE_PATTERN.test(type)) context.addIssue({ code: 'custom', path: [type], message: 'type names are lower-case letters, digits, _ and - (starting with a letter)' })
  }
})
const hasMethods = (names: readonly string[]) => (value: unknown) =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')

const optionsSchema = z.strictObject({
  cache: z.custom<Cache>(hasMethods(['getOrSet', 'deletePattern', 'stats']), { message: 'expected a Cache from createCache()' }),
  shared: z.boolean().optional(),
  ttls: perType.optional(),
  defaultTtl: duration.optional(),
  env: z.custom<CacheEnv | false>((value) => value === false || (typeof value === 'object' && value !== null), { message: 'expected an object of environment variables, or false' }).optional(),
  label: z.string().regex(/^[\w.:-]{1,100}$/, "1 to 100 letters, digits, '_', '.', ':' or '-'").optional(),
  schema: z.custom<StandardSchemaV1>((value) => typeof (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard']?.validate === 'function', {
    message: 'expected a Standard Schema (zod, valibot...)',
  }).optional(),
  revalidate: z
    .strictObject({
      window: duration,
      versionOf: z.custom<(value: unknown) => string | undefined>((value) => typeof value === 'function', { message: 'expected a function' }).optional(),
    })
    .optional(),
})

/**
 * Throws the package's one error for bad options, each problem listed.
 *
 * @example
 * ```ts
 * refuse(['ttls.venues: invalid duration'])
 * ```
 */
export function refuse(problems: readonly string[], cause?: unknown): never {
  const message = `[@cachette/fhir-export] createFhirExportCache options are invalid: ${problems.join('; ')}`
  throw new InvalidOptionsError(message, cause === undefined ? undefined : { cause })
}

/**
 * Checks the options once, where they enter: a ZodError becomes an InvalidOptionsError naming each option.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ cache, env: false })
 * ```
 */
export function resolveOptions(options: FhirExportCacheOptions<unknown>): ResolvedFhirExportOptions {
  const checked = optionsSchema.safeParse(options)
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
    refuse(problems, checked.error)
  }
  const given = checked.data
  return {
    shared: given.shared ?? true,
    label: given.label ?? 'fhir_export',
    ttls: { ...BUILT_IN_TTLS, ...(given.ttls as Record<string, Duration> | undefined) },
    defaultTtl: (given.defaultTtl ?? '1h') as Duration,
    env: given.env === false ? {} : (given.env ?? globalThis.process?.env ?? {}),
  }
}
