import type { CacheStats } from '../observability/cache-stats.js'
import type { DriverCapabilities, DriverCapability, DriverWith } from '../driver/driver.js'
import type { CacheErrorCode } from '../errors.js'
import type { CacheOperation } from '../observability/metrics.js'
import type { FlightGroup } from './flight-group.js'
import type { WireFormat } from '../encoding/wire-format.js'

/** The operations a kit measures: core's label values of `cache_latency_seconds{operation}`. */
export type KitOperation = CacheOperation

/** What an invalidation through the kit did: reached the store, or waits in the cache's invalidation queue. */
export type KitInvalidation = 'invalidated' | 'queued'

/** Options of {@link cacheKit}. */
export interface KitOptions<C extends DriverCapability = never> {
  /**
   * The package using the kit: it starts every message the kit logs for it.
   *
   * @example
   * ```ts
   * cacheKit(cache, { name: '@cachette/patient', label: 'patient' }) // logs '[@cachette/patient] …'
   * ```
   */
  readonly name: string
  /**
   * The `key_prefix` label of this package's metrics and logs (`cache_hits_total{key_prefix="patient"}`):
   * 1 to 100 letters, digits, `_`, `.`, `:` or `-`.
   *
   * @example
   * ```ts
   * cacheKit(cache, { name: '@cachette/fhir-export', label: 'fhir_export' })
   * ```
   */
  readonly label: string
  /**
   * Command groups the package needs: checked once, here (MissingCapabilityError naming each
   * missing one), and `kit.driver` is typed with them.
   *
   * @default [] (the base driver contract)
   * @example
   * ```ts
   * const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', requires: ['hashes', 'batch'] })
   * await kit.call('get', (driver) => driver.hgetall(storeKey)) // typed: hashes are there
   * ```
   */
  readonly requires?: readonly C[]
  /**
   * The key template named in this package's log lines (a template, never a key).
   *
   * @default none
   * @example
   * ```ts
   * cacheKit(cache, { name: '@cachette/patient', label: 'patient', template: 'soins_suite_{etablissement}_patient_cache:{code_patient}' })
   * ```
   */
  readonly template?: string
}

/** Options of one {@link CacheKit.call}. */
export interface KitCallOptions {
  /**
   * Error codes that are an answer, not a failure (a `WRONG_TYPE` where a tombstone may stand in
   * place of a HASH): the call still rejects with that CacheError, but it is not counted, logged,
   * emitted or held against the circuit breaker.
   *
   * @default [] (every failure is one)
   * @example
   * ```ts
   * await kit.call('get', (driver) => driver.hgetall(storeKey), { expected: ['WRONG_TYPE'] })
   * ```
   */
  readonly expected?: readonly CacheErrorCode[]
}

/** Options of {@link CacheKit.indexSubjects}. */
export interface KitIndexOptions {
  /**
   * The longest TTL the package gives these entries, in ms, when it may exceed the cache's
   * `maxTtl`: the index then outlives them too.
   *
   * @default the cache's maxTtl
   * @example
   * ```ts
   * await kit.indexSubjects([storeKey], [subject], { ttlMs: 86_400_000 }) // a HASH kept a day
   * ```
   */
  readonly ttlMs?: number
}

/** Bounded string labels of one measurement (never a key, an identifier or a value). */
export type KitAttributes = Readonly<Record<string, string>>

/** Options of an instrument a package adds with {@link CacheKit.histogram} or {@link CacheKit.counter}. */
export interface KitInstrumentOptions {
  /**
   * What it measures, shown by the exporter (`# HELP`).
   *
   * @example
   * ```ts
   * kit.histogram('fhir.export.duration', { description: 'Duration of a FHIR export', unit: 's' })
   * ```
   */
  readonly description: string
  /**
   * The unit (UCUM): `'s'` for a duration.
   *
   * @default none
   * @example
   * ```ts
   * kit.histogram('fhir.export.duration', { description: 'Duration of a FHIR export', unit: 's' })
   * ```
   */
  readonly unit?: string
  /**
   * Histogram bucket bounds, ascending.
   *
   * @default the SDK's default bounds
   * @example
   * ```ts
   * kit.histogram('fhir.export.duration', { description: 'Export duration', unit: 's', boundaries: [0.001, 0.01, 0.1, 1, 10] })
   * ```
   */
  readonly boundaries?: readonly number[]
}

/** A histogram of a package, on the cache's meter. */
export interface KitHistogram {
  /**
   * Records one observation; the package's `key_prefix` is added to `attributes`.
   *
   * @example
   * ```ts
   * duration.record(0.042, { cache: 'hit' }) // fhir_export_duration…{cache="hit",key_prefix="fhir_export"}
   * ```
   */
  record(value: number, attributes?: KitAttributes): void
}

/** A monotonic counter of a package, on the cache's meter. */
export interface KitCounter {
  /**
   * Adds `value` (1 by default); the package's `key_prefix` is added to `attributes`.
   *
   * @example
   * ```ts
   * operations.add(1, { operation: 'get' })
   * ```
   */
  add(value?: number, attributes?: KitAttributes): void
}

/** The fence of the cache (see docs/concepts.md), for a package that writes its own entries. */
export interface KitFence {
  /** How long an invalidation's tombstone lives, in ms; undefined when the cache's fence is off. */
  readonly ttlMs: number | undefined
  /**
   * Claims an empty key before a load (SET NX of a fresh tombstone, the fence TTL): resolves the
   * tombstone, or undefined when the key is taken, the store failed or the fence is off. Never rejects.
   *
   * @example
   * ```ts
   * const claim = await kit.fence.claim(storeKey) // the load's write must replace exactly this
   * ```
   */
  claim(storeKey: string): Promise<string | undefined>
  /**
   * Gives a claim back when the load will not write (in the background; awaited by `cache.close()`).
   *
   * @example
   * ```ts
   * if (record === undefined) kit.fence.release(storeKey, claim)
   * ```
   */
  release(storeKey: string, claim: string | undefined): void
  /**
   * Whether a load that started at `since` (`performance.now()`) may still write: its
   * invalidations' tombstones outlive it, with two store calls of margin. False with the fence off
   * means nothing: check `ttlMs` first.
   *
   * @example
   * ```ts
   * if (!kit.fence.admits(since)) return kit.fence.refused()
   * ```
   */
  admits(since: number): boolean
  /**
   * Counts a write the fence refused (`cache.stats().fencedWrites`); returns false, to return it.
   *
   * @example
   * ```ts
   * if (!(await kit.call('set', (driver) => driver.compareAndDelete(storeKey, token)))) return kit.fence.refused()
   * ```
   */
  refused(): false
}

/**
 * What core's own methods use, for a domain package built on a cache: store calls with the cache's
 * deadline, circuit breaker, error mapping, redacted logging, events and metric instruments (its
 * `cache_*` names, with the package's `key_prefix`); single flight; the invalidation queue; the
 * fence; the cache's stats. See docs/domain-packages.md.
 *
 * @example
 * ```ts
 * const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', requires: ['hashes'] })
 * const record = await kit.call('get', (driver) => driver.hgetall(storeKey))
 * ```
 */
export interface CacheKit<C extends DriverCapability = never> {
  /** The cache's driver, typed with the command groups `requires` checked. */
  readonly driver: DriverWith<C>
  /** What the driver announces. */
  readonly capabilities: DriverCapabilities
  /** False when the cache is switched off (`enabled: false`, `CACHE_ENABLED=false`): serve from the source. */
  readonly enabled: boolean
  /** True once `cache.close()` was called. */
  readonly closed: boolean
  /** The deadline of each store call, in ms (the cache's `deadlineMs`). */
  readonly deadlineMs: number
  /** The `key_prefix` label given. */
  readonly label: string
  /** The cache's wire format: `'cachette'` (the envelope) or `'plain'` (the codec's payload alone, shared with other services). */
  readonly wire: WireFormat
  /** The cache's key prefix as it starts store keys (`'identity:'`), `''` without a prefix. */
  readonly keyPrefix: string
  /** The cache's fence. */
  readonly fence: KitFence
  /**
   * True when the cache has encryption at rest (`createCache({ encryption })`, or
   * `CACHE_ENCRYPTION_KEYS` / `CACHE_ENCRYPTION_CURRENT`): {@link CacheKit.seal} then seals.
   */
  readonly encrypted: boolean
  /**
   * Seals one value a package stores itself (a HASH field, outside the cache's own entries) under
   * the cache's current encryption key; resolves `text` unchanged when the cache has no encryption.
   *
   * The sealed form is one line of ASCII, `@s1 <keyId> <iv> <ciphertext>`: `keyId` the id of the
   * key that sealed it (as in `encryption.keys`), `iv` the random 96-bit AES-GCM IV in base64url
   * (16 characters, fresh on every call), `ciphertext` the AES-256-GCM output (ciphertext and its
   * 16-byte tag) in standard base64. Its associated data binds `storeKey`, `field`, the key id and
   * the IV: the value moved to another field, another key (another patient's HASH) or altered
   * fails to open. Use the same `storeKey` and `field` to open it.
   *
   * @example
   * ```ts
   * const fields = { nom: await kit.seal(storeKey, 'nom', patient.nom) } // '@s1 2026-12 q0b4…Zx3 J9tf…=='
   * await kit.call('set', (driver) => driver.batch([{ op: 'hset', key: storeKey, fields }]))
   * ```
   */
  seal(storeKey: string, field: string, text: string): Promise<string>
  /**
   * Opens what {@link CacheKit.seal} stored under `storeKey` and `field`; never rejects.
   *
   * - A sealed value (it starts with `@s1 `) resolves its text when a key of this cache opens it.
   * - One that cannot be opened — a key id this cache does not have, another store key or field
   *   than it was sealed for, an altered byte, a malformed seal, or a cache without encryption —
   *   resolves `undefined`: counted in `stats().decryptFailures` and `cache_errors_total{error_code="DECRYPT_FAILED"}`,
   *   logged with code `DECRYPT_FAILED` (the message names no key, field or value). Treat the
   *   whole record as a miss.
   * - An unsealed value resolves as it is, with or without encryption, and counts nothing: values
   *   written before encryption was turned on still read (rewrite them to seal them). A plain
   *   text that itself starts with `@s1 ` is read as a seal (and fails on a cache without encryption).
   *
   * @example
   * ```ts
   * const nom = await kit.open(storeKey, 'nom', hash.nom)
   * if (nom === undefined) return miss() // counted and logged already
   * ```
   */
  open(storeKey: string, field: string, stored: string): Promise<string | undefined>
  /**
   * Runs one store call as core runs its own: skipped while the circuit is open, bounded by the
   * deadline, measured (`cache_latency_seconds`), and on failure counted (`cache_errors_total`,
   * `stats().errors`), logged without keys or values, emitted as an `error` event and rejected as a
   * CacheError (DriverError, DeadlineExceededError, CircuitOpenError; `CLOSED` after close).
   *
   * @example
   * ```ts
   * const hash = await kit.call('get', (driver) => driver.hgetall(storeKey))
   * await kit.call('get', (driver) => driver.hgetall(storeKey), { expected: ['WRONG_TYPE'] }) // a tombstone may stand there
   * ```
   */
  call<T>(operation: KitOperation, start: (driver: DriverWith<C>) => Promise<T>, options?: KitCallOptions): Promise<T>
  /**
   * Counts a hit: `stats().hits`, `cache_hits_total{key_prefix}` and the `hit` event.
   *
   * @example
   * ```ts
   * if (record !== undefined) kit.hit()
   * ```
   */
  hit(): void
  /**
   * Counts a miss: `stats().misses`, `cache_misses_total{key_prefix}` and the `miss` event.
   *
   * @example
   * ```ts
   * if (record === undefined) kit.miss()
   * ```
   */
  miss(): void
  /**
   * Reports an entry that could not be used (undecodable, wrong type, another record than its key
   * names): `stats().decodeFailures`, `cache_errors_total{error_code}` (`reason`, a bounded name,
   * else `code`), and `message` logged with `code`. Deleting it is the caller's choice.
   *
   * @example
   * ```ts
   * kit.corrupted('a patient entry could not be decoded; it was deleted and read as a miss', 'DECODE_FAILED')
   * kit.corrupted("a patient entry holds another patient's record", 'DECODE_FAILED', 'KEY_MISMATCH')
   * ```
   */
  corrupted(message: string, code: CacheErrorCode, reason?: string): void
  /**
   * Logs a problem the package absorbed, through the cache's logger: the message (never a key or a
   * value in it), the operation, the code, the label, the template and the error's name only.
   *
   * @example
   * ```ts
   * kit.warn('the anti-duplicate lock could not be taken; creating without it', 'lock', 'DRIVER_FAILURE', error)
   * ```
   */
  warn(message: string, operation: string, code: CacheErrorCode, error?: unknown): void
  /**
   * A histogram of the package's own (a metric its seed names), on the cache's meter: the package
   * creates no meter and imports nothing from OpenTelemetry. Create it once, in the factory.
   *
   * @example
   * ```ts
   * const duration = kit.histogram('fhir.export.duration', { description: 'Duration of a FHIR export', unit: 's' })
   * duration.record(seconds, { cache: 'miss' })
   * ```
   */
  histogram(name: string, options: KitInstrumentOptions): KitHistogram
  /**
   * A monotonic counter of the package's own, on the cache's meter (the Prometheus exporter adds `_total`).
   *
   * @example
   * ```ts
   * const operations = kit.counter('fhir.export.cache.operations', { description: 'FHIR export cache operations by kind' })
   * ```
   */
  counter(name: string, options: KitInstrumentOptions): KitCounter
  /**
   * The store key of a cache key: the cache's prefix and the key (what `cache.get(key)` reads).
   *
   * @example
   * ```ts
   * kit.storeKey(patientKey({ id: 42 })) // 'identity:patient:42' in a cache prefixed 'identity'
   * ```
   */
  storeKey(key: string | { readonly key: string }): string
  /**
   * A new single-flight group (one per kind of load).
   *
   * @example
   * ```ts
   * const flights = kit.flights<Patient | undefined>()
   * ```
   */
  flights<T>(): FlightGroup<T>
  /**
   * Invalidates store keys as `cache.invalidate` does: each replaced by a tombstone (deleted with
   * the fence off), loads of them in flight in the cache not written. When the store cannot be
   * reached, the keys wait in the cache's invalidation queue (retried; read as misses by `pending`
   * and by the cache meanwhile) and this resolves `'queued'`. Rejects when it could not be queued
   * (queue off or full, the cache closed).
   *
   * @example
   * ```ts
   * await kit.invalidate([storeKey]) // 'invalidated' | 'queued'
   * ```
   */
  invalidate(storeKeys: readonly string[]): Promise<KitInvalidation>
  /**
   * Records store keys the package is about to write itself in the erasure index of each data
   * subject (`cache.forget(subject)` then removes them, whatever their type: a HASH as well as a
   * string). Call it BEFORE writing the entries, and write only once it resolved: an entry that
   * exists is then always indexed. The index is the one of the cache's own writes (a SET per
   * subject at `<prefix>cachette:subject:<SHA-256 of the subject>`, one atomic SADD + PEXPIRE per
   * subject through the store-call path: deadline, circuit breaker, metrics under the package's
   * `key_prefix`, operation `set`); it lives max(the cache's maxTtl, `options.ttlMs`) + 1 minute
   * after this call. Subjects follow the rules of `WriteOptions.subjects` (non-empty, at most 512
   * characters, no glob character, brace, whitespace or control character, at most 16 per call);
   * errors never quote them.
   *
   * Resolves at once, writing nothing, when the cache is disabled or `storeKeys` or `subjects` is
   * empty. Rejects on a store failure (a CacheError, counted and logged like any kit call): the
   * package must then not write. A forget that runs between this call and the package's write
   * does not wait for that write (unlike the cache's own writes): write fenced where you can
   * (`kit.fence`), so that forget's tombstones refuse a write that raced it.
   *
   * @throws InvalidKeyError for a store key that is not a non-empty string, a bad subject or more
   *   than 16; InvalidOptionsError for a bad `ttlMs`; MissingCapabilityError when the cache's driver has no `sets`.
   * @example
   * ```ts
   * const storeKey = 'soins_suite_880e…_patient_cache:CI-20250108-00001'
   * await kit.indexSubjects([storeKey], ['patient:CI-20250108-00001'], { ttlMs }) // first: rejects → do not write
   * await kit.call('set', (driver) => driver.batch([{ op: 'hset', key: storeKey, fields }, { op: 'pexpire', key: storeKey, ttlMs }]))
   * // later, anywhere: await cache.forget('patient:CI-20250108-00001') removes the HASH
   * ```
   */
  indexSubjects(storeKeys: readonly string[], subjects: readonly string[], options?: KitIndexOptions): Promise<void>
  /**
   * Whether a queued invalidation covers this store key: its entry may be stale, do not serve or
   * overwrite it.
   *
   * @example
   * ```ts
   * if (kit.pending(storeKey)) return load()
   * ```
   */
  pending(storeKey: string): boolean
  /**
   * Tries the cache's queued invalidations now; resolves how many still wait.
   *
   * @example
   * ```ts
   * await kit.retryPending() // 0 once the store is back
   * ```
   */
  retryPending(): Promise<number>
  /**
   * Keeps a background promise until it settles: `cache.close()` waits for it.
   *
   * @example
   * ```ts
   * kit.track(kit.call('set', (driver) => driver.pexpire(storeKey, ttlMs)).catch(() => undefined))
   * ```
   */
  track(promise: Promise<unknown>): void
  /**
   * The cache's counters (what `cache.stats()` returns), the kit's calls included.
   *
   * @example
   * ```ts
   * kit.stats().errors
   * ```
   */
  stats(): CacheStats
}
