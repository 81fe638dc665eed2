import { DeadlineQueue, rateLimitedConsoleLogger, type Cache, type CacheEnv, type CacheLogger, type Driver, type Duration, type ParamMode } from '@cachette/core'
import { z } from 'zod'
import type { PatientMeter } from './metrics.js'
import { durationMs, durationSchema, envSchema, failOptions, objectWith, parseOptions, resolveTtlMs } from './option-support.js'

/** Where records live: seed 000's HASH (readable by the existing Go service), or one JSON entry through the Cache. */
export type PatientStorage = 'hash' | 'json'

/**
 * The seed 000 key layout, the default of `keyTemplate`.
 *
 * @example
 * ```ts
 * createPatientCache({ cache, driver, etablissement, keyTemplate: DEFAULT_PATIENT_KEY_TEMPLATE }) // same as omitting it
 * patients.keyOf(codePatient) // `soins_suite_${etablissement}_patient_cache:${codePatient}`
 * ```
 */
export const DEFAULT_PATIENT_KEY_TEMPLATE = 'soins_suite_{etablissement}_patient_cache:{code_patient}'

/** Options of the anti-duplicate creation lock (seed 000, "Pattern Anti-Doublon"). */
export interface DuplicateLockOptions {
  /**
   * How long the lock lives if it is never released (a crashed creator): seed 000 says 60 s.
   *
   * @default '60s'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, duplicateLock: { ttl: '30s' } })
   * ```
   */
  readonly ttl?: Duration
  /**
   * The literal start of the lock key; the person's fingerprint follows.
   *
   * @default 'soins_suite_patient_lock:'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, duplicateLock: { keyPrefix: 'identity:patient_lock:' } })
   * ```
   */
  readonly keyPrefix?: string
  /**
   * HMAC key for the fingerprint in the lock key. Without it the fingerprint is a plain SHA-256
   * of normalized name + first names + birth date, which anyone can confirm for a guessed person.
   *
   * @default none (plain SHA-256, as seed 000's `hash(nom+prenom+naissance)`)
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, duplicateLock: { secret: process.env.PATIENT_LOCK_SECRET } })
   * ```
   */
  readonly secret?: string
  /**
   * Keep the lock until it expires instead of releasing it once `create()` has finished. Releasing
   * is the default because seed 000 scopes the lock to the creation itself ("uniquement pendant
   * création patient") and the database check catches later duplicates; keeping it also refuses
   * re-submissions (a double click) for the lock's TTL.
   *
   * @default false
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, duplicateLock: { keepAfterCreate: true } }) // also refuses a double submit for 60 s
   * ```
   */
  readonly keepAfterCreate?: boolean
}

/** Options of the retry queue of invalidations that could not reach the store. */
export interface InvalidationRetryOptions {
  /**
   * Delay before the first retry; each failure doubles it.
   *
   * @default 100
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, invalidationRetry: { initialDelayMs: 250 } })
   * ```
   */
  readonly initialDelayMs?: number
  /**
   * The longest delay between two retries (the backoff is bounded).
   *
   * @default 30_000
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, invalidationRetry: { maxDelayMs: 60_000 } })
   * ```
   */
  readonly maxDelayMs?: number
  /**
   * Invalidations the queue holds at most. Beyond it a new one is refused, counted in
   * `stats().invalidationsDropped` and logged: memory stays bounded while the store is down.
   *
   * @default 10_000
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, invalidationRetry: { maxPending: 50_000 } })
   * ```
   */
  readonly maxPending?: number
}

/**
 * Options of {@link createPatientCache}.
 *
 * @example
 * ```ts
 * createPatientCache({ cache, driver, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
 * ```
 */
export interface PatientCacheOptions {
  /**
   * The Cachette cache: its kill switch (`enabled` / `CACHE_ENABLED=false`) applies here too, and in
   * `'json'` storage records are stored through it (its prefix, codec and stats apply).
   *
   * @example
   * ```ts
   * const cache = createCache({ driver, prefix: 'identity' })
   * createPatientCache({ cache, driver, etablissement })
   * ```
   */
  readonly cache: Cache
  /**
   * The store the cache uses. `'hash'` storage and the anti-duplicate lock need commands a Cache
   * does not offer (HGETALL, MULTI, SET NX, compare-and-delete), so they talk to the driver directly.
   *
   * @example
   * ```ts
   * const driver = ioredisDriver({ url: 'redis://redis.internal:6379' })
   * createPatientCache({ cache: createCache({ driver, prefix: 'identity' }), driver, etablissement }) // the cache's own driver
   * ```
   */
  readonly driver: Driver
  /**
   * This service's establishment id: fills `{etablissement}` in the key template and is the lock's value.
   *
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
   * ```
   */
  readonly etablissement: string
  /**
   * `'hash'`: seed 000's HASH, at exactly the key the template gives (no cache prefix: another
   * service reads that exact name). `'json'`: one Cachette entry through `cache` (below its prefix).
   *
   * @default 'hash'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, storage: 'json', keyTemplate: 'patient:{id}' }) // seed 001: identity:patient:42
   * ```
   */
  readonly storage?: PatientStorage
  /**
   * The key template. Parameters: `{etablissement}` (optional) and the patient code as
   * `{code_patient}`, `{code}` or `{id}` (exactly one). Seed 001: `'patient:{id}'` with
   * `storage: 'json'` and a cache created with `prefix: 'identity'` gives `identity:patient:42`.
   *
   * @default 'soins_suite_{etablissement}_patient_cache:{code_patient}'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, keyTemplate: 'registry:{etablissement}:patient:{code}' })
   * ```
   */
  readonly keyTemplate?: string
  /**
   * How the patient code enters the key: `'strict'` (as is, rejected when it holds a glob
   * character, ':', a brace or whitespace), `'encode'`, `'hash'` or `{ hmac: secret }` (no patient
   * code in key names; another service must then compute the same HMAC to share entries).
   *
   * @default 'strict' (the Go service reads the plain code)
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, codeParam: { hmac: keySecret } }) // no patient code in key names
   * ```
   */
  readonly codeParam?: ParamMode
  /**
   * Entry TTL. `CACHE_TTL_PATIENT` (seconds) overrides it. Seed 000: 1 h; seed 001: 10 min.
   *
   * @default '1h'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, ttl: '10m' }) // seed 001; CACHE_TTL_PATIENT still wins
   * ```
   */
  readonly ttl?: Duration
  /**
   * Variables to read `CACHE_TTL_PATIENT` from; `false` reads none (tests).
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, env: false }) // tests: CACHE_TTL_PATIENT is not read
   * ```
   */
  readonly env?: CacheEnv | false
  /**
   * The fence of `'hash'` storage against the cache-aside race across processes: a load that
   * started before an invalidation of its code, in any instance, does not write what it read.
   * An invalidation leaves a tombstone (a short string at the key) that lives `ttl`; a load writes
   * only if the key still holds what it saw before its loader ran (see docs/patient.md). `ttl` must
   * outlive your slowest load: a load that took longer is returned to its callers, not written.
   * `false` restores plain DEL and DEL + HSET writes (a load in flight in another instance may then
   * write a record read before the commit, for a whole TTL). In `'json'` storage the cache's own
   * `fence` option (`createCache({ fence })`) applies, and this one is refused.
   *
   * @default { ttl: '1m' } (at least 1 s and more than 4 × deadlineMs)
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, fence: { ttl: '2m' } }) // loads of up to about 2 minutes
   * createPatientCache({ cache, driver, etablissement, fence: false })          // no instance but this one writes the keys
   * ```
   */
  readonly fence?: false | { readonly ttl?: Duration }
  /**
   * Deadline of each store call this package makes itself (HASH reads and writes, locks), in ms.
   *
   * @default 500 (as `@cachette/core`)
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, deadlineMs: 200 })
   * ```
   */
  readonly deadlineMs?: number
  /**
   * The anti-duplicate creation lock.
   *
   * @default { ttl: '60s', keyPrefix: 'soins_suite_patient_lock:', keepAfterCreate: false }
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, duplicateLock: { ttl: '30s', secret: process.env.PATIENT_LOCK_SECRET } })
   * ```
   */
  readonly duplicateLock?: DuplicateLockOptions
  /**
   * Retry of invalidations that could not reach the store.
   *
   * @default { initialDelayMs: 100, maxDelayMs: 30_000, maxPending: 10_000 }
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, invalidationRetry: { initialDelayMs: 200, maxDelayMs: 10_000 } })
   * ```
   */
  readonly invalidationRetry?: InvalidationRetryOptions
  /**
   * OpenTelemetry meter for `'hash'` storage (`cache_hits_total`, `cache_misses_total`,
   * `cache_latency_seconds`, `cache_errors_total` with `key_prefix`). Pass the meter your cache
   * uses so both land in one metric family. `'json'` storage is measured by the cache itself.
   *
   * @default none (no metrics from HASH storage)
   * @example
   * ```ts
   * const meter = meterProvider.getMeter('patient-registry')
   * const cache = createCache({ driver, prefix: 'identity', meter })
   * createPatientCache({ cache, driver, etablissement, meter })
   * ```
   */
  readonly meter?: PatientMeter
  /**
   * Where absorbed failures are reported (never with a key, a code or a value).
   *
   * @default rateLimitedConsoleLogger()
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, logger: { warn: (message, fields) => log.warn(fields, message) } })
   * ```
   */
  readonly logger?: CacheLogger
  /**
   * The `key_prefix` metrics label and log label of patient entries.
   *
   * @default 'patient'
   * @example
   * ```ts
   * createPatientCache({ cache, driver, etablissement, label: 'registry_patient' }) // cache_hits_total{key_prefix="registry_patient"}
   * ```
   */
  readonly label?: string
}

/** Options after validation and defaults. */
export interface ResolvedPatientOptions {
  readonly cache: Cache
  readonly driver: Driver
  readonly etablissement: string
  readonly storage: PatientStorage
  readonly keyTemplate: string
  readonly codeParamName: 'code_patient' | 'code' | 'id'
  readonly codeParam: ParamMode
  readonly ttlMs: number
  /** How long an invalidation's tombstone lives, ms; undefined when the fence is off ('hash' storage only). */
  readonly fenceMs: number | undefined
  readonly deadlineMs: number
  /** One timer queue for every store call of this patient cache (core's DeadlineQueue). */
  readonly deadlines: DeadlineQueue
  readonly lockTtlMs: number
  readonly lockKeyPrefix: string
  readonly lockSecret: string | undefined
  readonly keepLockAfterCreate: boolean
  readonly retryInitialDelayMs: number
  readonly retryMaxDelayMs: number
  readonly retryMaxPending: number
  readonly meter: PatientMeter | undefined
  readonly logger: CacheLogger
  readonly label: string
}

const WHERE = 'createPatientCache'
const LOCK_PREFIX = /^[A-Za-z0-9_.:-]{1,100}$/

const optionsSchema = z.strictObject({
  cache: objectWith(['get', 'set', 'getOrSet', 'invalidate', 'stats'], 'expected a Cache from createCache()'),
  driver: objectWith(['hgetall', 'batch', 'set', 'delete', 'compareAndDelete'], 'expected a Driver (hgetall, batch, set, delete, compareAndDelete)'),
  etablissement: z.string().min(1, 'expected the establishment id'),
  storage: z.enum(['hash', 'json']).optional(),
  keyTemplate: z.string().min(1).optional(),
  // Every form core's ParamMode types; core checks the secret's size and the length range.
  codeParam: z
    .union([
      z.enum(['strict', 'encode', 'hash']),
      z.strictObject({ hmac: z.union([z.string().min(1), z.instanceof(Uint8Array)]), length: z.number().int().optional() }),
    ])
    .optional(),
  ttl: durationSchema.optional(),
  env: envSchema.optional(),
  fence: z.union([z.literal(false), z.strictObject({ ttl: durationSchema.optional() })], { message: 'expected false or { ttl }' }).optional(),
  deadlineMs: z.number().int().min(1).max(60_000).optional(),
  duplicateLock: z
    .strictObject({
      ttl: durationSchema.optional(),
      keyPrefix: z.string().regex(LOCK_PREFIX, "expected letters, digits, '_', '.', ':' or '-'").optional(),
      secret: z.string().min(1).optional(),
      keepAfterCreate: z.boolean().optional(),
    })
    .optional(),
  invalidationRetry: z
    .strictObject({
      initialDelayMs: z.number().int().min(1).max(600_000).optional(),
      maxDelayMs: z.number().int().min(1).max(3_600_000).optional(),
      maxPending: z.number().int().min(1).max(10_000_000).optional(),
    })
    .optional(),
  meter: objectWith(['createCounter', 'createHistogram'], 'expected an OpenTelemetry Meter').optional(),
  logger: objectWith(['warn'], 'expected a logger with a warn(message, fields) method').optional(),
  label: z.string().regex(/^[\w.:-]{1,100}$/, "expected 1 to 100 letters, digits, '_', '.', ':' or '-'").optional(),
})

/** The shortest fence TTL, as core's: below it, ordinary loads would outlive their tombstones. */
const MIN_FENCE_MS = 1_000

/** The fence TTL in ms, undefined when off; checked against the deadline (a fenced write makes two store calls after its load). */
function resolveFenceMs(options: PatientCacheOptions, storage: PatientStorage, deadlineMs: number): number | undefined {
  if (storage === 'json') {
    if (options.fence !== undefined) failOptions(WHERE, ["fence: applies to 'hash' storage only; in 'json' storage the cache's own fence applies (createCache({ fence }))"])
    return undefined
  }
  if (options.fence === false) return undefined
  const fenceMs = durationMs(WHERE, 'fence.ttl', options.fence?.ttl ?? '1m')
  if (!(fenceMs >= MIN_FENCE_MS && fenceMs > 4 * deadlineMs)) {
    failOptions(WHERE, [`fence.ttl: must be at least ${MIN_FENCE_MS} ms and more than 4 × deadlineMs (${4 * deadlineMs} ms)`])
  }
  return fenceMs
}

const CODE_PARAM_NAMES = ['code_patient', 'code', 'id'] as const
const TEMPLATE_PARAM = /\{(\w+)\}/g

/** Finds the code parameter of a template; undefined when it has none, several, or a parameter not allowed here. */
function templateCodeParam(template: string): 'code_patient' | 'code' | 'id' | undefined {
  // `{{`/`}}` are literal braces in core templates: drop them before looking for parameters.
  const names = [...template.replaceAll('{{', '').replaceAll('}}', '').matchAll(TEMPLATE_PARAM)].map((match) => match[1] as string)
  const isCode = (name: string): name is (typeof CODE_PARAM_NAMES)[number] => (CODE_PARAM_NAMES as readonly string[]).includes(name)
  const codes = names.filter(isCode)
  const others = names.filter((name) => name !== 'etablissement' && !isCode(name))
  return codes.length === 1 && others.length === 0 ? codes[0] : undefined
}

/** Validates {@link PatientCacheOptions} once and applies defaults and `CACHE_TTL_PATIENT`. */
export function resolvePatientOptions(options: PatientCacheOptions): ResolvedPatientOptions {
  const parsed = parseOptions(optionsSchema, options, WHERE)
  const keyTemplate = parsed.keyTemplate ?? DEFAULT_PATIENT_KEY_TEMPLATE
  const codeParamName = templateCodeParam(keyTemplate)
  if (codeParamName === undefined) {
    failOptions(WHERE, ['keyTemplate: needs exactly one patient code parameter ({code_patient}, {code} or {id}) and no parameter but {etablissement}'])
  }
  const retryInitialDelayMs = parsed.invalidationRetry?.initialDelayMs ?? 100
  const retryMaxDelayMs = parsed.invalidationRetry?.maxDelayMs ?? 30_000
  if (retryMaxDelayMs < retryInitialDelayMs) {
    failOptions(WHERE, ['invalidationRetry.maxDelayMs: must not be below initialDelayMs'])
  }
  const deadlineMs = parsed.deadlineMs ?? 500
  const storage = parsed.storage ?? 'hash'
  return {
    cache: options.cache,
    driver: options.driver,
    etablissement: parsed.etablissement,
    storage,
    keyTemplate,
    codeParamName,
    codeParam: (parsed.codeParam ?? 'strict') as ParamMode,
    ttlMs: resolveTtlMs(WHERE, 'patient', options.ttl, '1h', options.env),
    fenceMs: resolveFenceMs(options, storage, deadlineMs),
    deadlineMs,
    deadlines: new DeadlineQueue(deadlineMs),
    lockTtlMs: durationMs(WHERE, 'duplicateLock.ttl', options.duplicateLock?.ttl ?? '60s'),
    lockKeyPrefix: parsed.duplicateLock?.keyPrefix ?? 'soins_suite_patient_lock:',
    lockSecret: parsed.duplicateLock?.secret,
    keepLockAfterCreate: parsed.duplicateLock?.keepAfterCreate ?? false,
    retryInitialDelayMs,
    retryMaxDelayMs,
    retryMaxPending: parsed.invalidationRetry?.maxPending ?? 10_000,
    meter: options.meter,
    logger: options.logger ?? rateLimitedConsoleLogger(),
    label: parsed.label ?? 'patient',
  }
}
