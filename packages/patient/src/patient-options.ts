import type { Cache, CacheEnv, Duration, ParamMode } from '@cachette/core'
import * as z from 'zod'
import { durationMs, durationSchema, envSchema, failOptions, objectWith, parseOptions, resolveTtlMs } from './option-support.js'

/** Where records live: seed 000's HASH (readable by the existing Go service), or one JSON entry through the Cache. */
export type PatientStorage = 'hash' | 'json'

/**
 * The seed 000 key layout, the default of `keyTemplate`.
 *
 * @example
 * ```ts
 * createPatientCache({ cache, etablissement, keyTemplate: DEFAULT_PATIENT_KEY_TEMPLATE }) // same as omitting it
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
   * createPatientCache({ cache, etablissement, duplicateLock: { ttl: '30s' } })
   * ```
   */
  readonly ttl?: Duration
  /**
   * The literal start of the lock key; the person's fingerprint follows.
   *
   * @default 'soins_suite_patient_lock:'
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement, duplicateLock: { keyPrefix: 'identity:patient_lock:' } })
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
   * createPatientCache({ cache, etablissement, duplicateLock: { secret: process.env.PATIENT_LOCK_SECRET } })
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
   * createPatientCache({ cache, etablissement, duplicateLock: { keepAfterCreate: true } }) // also refuses a double submit for 60 s
   * ```
   */
  readonly keepAfterCreate?: boolean
}

/**
 * Options of {@link createPatientCache}.
 *
 * @example
 * ```ts
 * createPatientCache({ cache, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
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
   * createPatientCache({ cache, etablissement })
   * ```
   */
  readonly cache: Cache
  /**
   * This service's establishment id: fills `{etablissement}` in the key template and is the lock's value.
   *
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
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
   * createPatientCache({ cache, etablissement, storage: 'json', keyTemplate: 'patient:{id}' }) // seed 001: identity:patient:42
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
   * createPatientCache({ cache, etablissement, keyTemplate: 'registry:{etablissement}:patient:{code}' })
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
   * createPatientCache({ cache, etablissement, codeParam: { hmac: keySecret } }) // no patient code in key names
   * ```
   */
  readonly codeParam?: ParamMode
  /**
   * Entry TTL. `CACHE_TTL_PATIENT` (seconds) overrides it. Seed 000: 1 h; seed 001: 10 min.
   *
   * @default '1h'
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement, ttl: '10m' }) // seed 001; CACHE_TTL_PATIENT still wins
   * ```
   */
  readonly ttl?: Duration
  /**
   * Variables to read `CACHE_TTL_PATIENT` from; `false` reads none (tests).
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement, env: false }) // tests: CACHE_TTL_PATIENT is not read
   * ```
   */
  readonly env?: CacheEnv | false
  /**
   * The anti-duplicate creation lock.
   *
   * @default { ttl: '60s', keyPrefix: 'soins_suite_patient_lock:', keepAfterCreate: false }
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement, duplicateLock: { ttl: '30s', secret: process.env.PATIENT_LOCK_SECRET } })
   * ```
   */
  readonly duplicateLock?: DuplicateLockOptions
  /**
   * The `key_prefix` metrics label and log label of patient entries.
   *
   * @default 'patient'
   * @example
   * ```ts
   * createPatientCache({ cache, etablissement, label: 'registry_patient' }) // cache_hits_total{key_prefix="registry_patient"}
   * ```
   */
  readonly label?: string
}

/** Options after validation and defaults. */
export interface ResolvedPatientOptions {
  readonly cache: Cache
  readonly etablissement: string
  readonly storage: PatientStorage
  readonly keyTemplate: string
  readonly codeParamName: 'code_patient' | 'code' | 'id'
  readonly codeParam: ParamMode
  readonly ttlMs: number
  readonly lockTtlMs: number
  readonly lockKeyPrefix: string
  readonly lockSecret: string | undefined
  readonly keepLockAfterCreate: boolean
  readonly label: string
}

const WHERE = 'createPatientCache'
const LOCK_PREFIX = /^[A-Za-z0-9_.:-]{1,100}$/

const optionsSchema = z.strictObject({
  cache: objectWith(['get', 'set', 'getOrSet', 'invalidate', 'stats'], 'expected a Cache from createCache()'),
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
  duplicateLock: z
    .strictObject({
      ttl: durationSchema.optional(),
      keyPrefix: z.string().regex(LOCK_PREFIX, "expected letters, digits, '_', '.', ':' or '-'").optional(),
      secret: z.string().min(1).optional(),
      keepAfterCreate: z.boolean().optional(),
    })
    .optional(),
  label: z.string().regex(/^[\w.:-]{1,100}$/, "expected 1 to 100 letters, digits, '_', '.', ':' or '-'").optional(),
})

/**
 * Options of earlier versions that the cache now provides: each is refused with where it went, not
 * silently ignored (a `deadlineMs` or a `fence` that no longer applied would be a silent change).
 */
const MOVED_TO_CACHE: Readonly<Record<string, string>> = {
  driver: "the cache's driver is used: createCache({ driver })",
  deadlineMs: "the cache's deadline applies: createCache({ deadlineMs })",
  fence: "the cache's fence applies, in both storages: createCache({ fence })",
  invalidationRetry: "failed invalidations wait in the cache's queue: createCache({ invalidationQueue })",
  meter: "the cache's meter measures patient entries too (key_prefix = label): createCache({ meter })",
  logger: "the cache's logger reports for the patient cache too: createCache({ logger })",
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
  if (typeof options === 'object' && options !== null) {
    const moved = Object.keys(MOVED_TO_CACHE).filter((name) => Object.hasOwn(options, name))
    if (moved.length > 0) failOptions(WHERE, moved.map((name) => `${name}: no longer an option of createPatientCache; ${MOVED_TO_CACHE[name]}`))
  }
  const parsed = parseOptions(optionsSchema, options, WHERE)
  const keyTemplate = parsed.keyTemplate ?? DEFAULT_PATIENT_KEY_TEMPLATE
  const codeParamName = templateCodeParam(keyTemplate)
  if (codeParamName === undefined) {
    failOptions(WHERE, ['keyTemplate: needs exactly one patient code parameter ({code_patient}, {code} or {id}) and no parameter but {etablissement}'])
  }
  const storage = parsed.storage ?? 'hash'
  return {
    cache: options.cache,
    etablissement: parsed.etablissement,
    storage,
    keyTemplate,
    codeParamName,
    codeParam: (parsed.codeParam ?? 'strict') as ParamMode,
    ttlMs: resolveTtlMs(WHERE, 'patient', options.ttl, '1h', options.env),
    lockTtlMs: durationMs(WHERE, 'duplicateLock.ttl', options.duplicateLock?.ttl ?? '60s'),
    lockKeyPrefix: parsed.duplicateLock?.keyPrefix ?? 'soins_suite_patient_lock:',
    lockSecret: parsed.duplicateLock?.secret,
    keepLockAfterCreate: parsed.duplicateLock?.keepAfterCreate ?? false,
    label: parsed.label ?? 'patient',
  }
}
