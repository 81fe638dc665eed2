import { metrics, type Meter } from '@opentelemetry/api'
import * as z from 'zod'
import { systemClock, type Clock } from '../clock.js'
import type { CacheEventListeners, DiagnosticsChannelModule } from '../observability/cache-events.js'
import type { CircuitBreakerConfig } from '../resilience/circuit-breaker.js'
import { jsonCodec, type Codec } from '../encoding/codec.js'
import type { BaseDriver } from '../driver/driver.js'
import { isDurationLike, parseDuration, type Duration } from './duration.js'
import { cacheConfigFromEnv, type CacheEnv, type CacheEnvConfig } from './env-config.js'
import { InvalidOptionsError, isCacheError } from '../errors.js'
import type { InvalidationQueueConfig } from './invalidation-queue-options.js'
import { rateLimitedConsoleLogger, type CacheLogger } from '../observability/logger.js'
import { memoryDriver } from '../memory/memory-driver.js'
import { DEFAULT_LOAD_POLICY, mergeLoadPolicy, resilienceShape, type LoadPolicy, type ResilienceOptions } from './resilience-options.js'
import { resolveStoreProtection, storeProtectionShape, type StoreProtectionOptions } from './store-protection-options.js'
import { POLICY_NAME_PATTERN, ttlPresets } from './ttl.js'
import { envelopeOptionsIn, needsEnvelope } from '../encoding/plain-wire.js'
import type { WireFormat } from '../encoding/wire-format.js'
import { compressionSchema, resolveCompression, type CompressionOptions } from './compression-options.js'
import { l1Schema, resolveL1, type L1Options, type ResolvedL1 } from './l1-options.js'
import { encryptionSchema, resolveEncryption, type EncryptionOptions } from './encryption-options.js'
import type { Sealer } from '../encoding/sealer.js'
import type { ResolvedCompression } from '../encoding/payload-compression.js'
import { describeIssues } from '../keys/zod-issues.js'

/**
 * Options of `createCache()`. Validated once, with zod; a bad option throws an InvalidOptionsError
 * listing each problem.
 *
 * @example
 * ```ts
 * createCache({ driver: ioredisDriver({ url }), prefix: 'identity', ttl: '5m', ttls: { patient: '10m' } })
 * ```
 */
export interface CacheOptions extends ResilienceOptions, StoreProtectionOptions {
  /**
   * The store: any {@link BaseDriver} (the command groups of a full `Driver` are not needed).
   * A driver passed here stays the caller's: several caches may share it, and `cache.close()`
   * leaves it open unless called with `{ driver: true }`. The default memoryDriver() is the
   * cache's own, closed by `cache.close()`.
   *
   * @default memoryDriver()
   * @example
   * ```ts
   * createCache({ driver: ioredisDriver({ url: 'redis://redis.internal:6379' }), prefix: 'identity' })
   * ```
   */
  readonly driver?: BaseDriver
  /**
   * A namespace joined to every key with ':' (`'identity'` -> `identity:patient:42`). Letters,
   * digits and `_ . - :` only: no glob character, brace or whitespace (it is glob-escaped in
   * patterns anyway, and a brace would break Redis Cluster hash tags).
   *
   * @default no prefix
   * @example
   * ```ts
   * createCache({ driver, prefix: 'identity' }) // patientKey({ id: 42 }) is stored at identity:patient:42
   * ```
   */
  readonly prefix?: string
  /**
   * The TTL of entries whose key and call give none. `CACHE_TTL_DEFAULT` (seconds) overrides it.
   *
   * @default '5m'
   * @example
   * ```ts
   * createCache({ driver, ttl: '10m' })
   * ```
   */
  readonly ttl?: Duration
  /**
   * Named TTL policies, merged over {@link ttlPresets}; a key says `ttl: 'patient'` to use one.
   * `CACHE_TTL_<NAME>` (seconds) overrides the policy `<name>`.
   *
   * @default ttlPresets (session 1h, profile 30m, list 5m, stats 15m, static 24h)
   * @example
   * ```ts
   * createCache({ driver, ttls: { patient: '10m', stats_dashboard: '5m' } })
   * defineKey('patient:{id}', { ttl: 'patient' }) // CACHE_TTL_PATIENT=600 would override it
   * ```
   */
  readonly ttls?: Readonly<Record<string, Duration>>
  /**
   * The longest TTL an entry may get. The cache's own TTLs (`ttl`, `ttls`, env) above it are
   * rejected here; a longer TTL from a key or a call is clamped to it and counted (`stats().ttlClamped`).
   * Tag version tokens live at least this long.
   *
   * @default '30d' (messaging keeps messages 30 days, the longest retention in the seeds)
   * @example
   * ```ts
   * createCache({ driver, maxTtl: '7d' })
   * ```
   */
  readonly maxTtl?: Duration
  /**
   * Random shortening of each TTL, as a fraction in [0, 1): 0.1 gives TTLs in [90%, 100%] of the
   * asked value, so entries written together do not expire together. Never lengthens a TTL.
   *
   * @default 0 (TTLs are exactly as asked)
   * @example
   * ```ts
   * createCache({ driver, jitter: 0.1 }) // a '10m' TTL becomes 9 to 10 minutes
   * ```
   */
  readonly jitter?: number
  /**
   * Deadline of every store call, in ms. Past it the call counts as failed: reads become misses,
   * getOrSet serves the loader's value, invalidations reject with a DeadlineExceededError.
   *
   * @default 500 (a local Redis answers in under 1 ms, Upstash REST in tens of ms; past 500 ms
   * the database is usually as fast as the cache, so waiting longer only adds latency)
   * @example
   * ```ts
   * createCache({ driver, deadlineMs: 100 }) // a Redis on the same network
   * ```
   */
  readonly deadlineMs?: number
  /**
   * `false` turns every operation into a no-op miss; getOrSet just calls the loader.
   * `CACHE_ENABLED=false` in the environment wins over `true` here (a kill switch for operators).
   *
   * @default true
   * @example
   * ```ts
   * createCache({ driver, enabled: false }) // getOrSet calls the loader every time
   * ```
   */
  readonly enabled?: boolean
  /**
   * How values are stored; a key's own codec wins.
   *
   * @default jsonCodec
   * @example
   * ```ts
   * import superjson from 'superjson' // keeps Dates, Maps and BigInts
   * const codec: Codec = { name: 'superjson', format: 'string', encode: (v) => superjson.stringify(v), decode: (p) => superjson.parse(p) }
   * createCache({ driver, codec })
   * ```
   */
  readonly codec?: Codec<any>
  /**
   * Share decoded values between hits instead of decoding for every caller. The first hit on an
   * entry decodes it and deep-freezes the value; later hits whose stored text is unchanged get that
   * very (frozen) value back, with no `JSON.parse`: a memory hit then costs a fraction of a decoded
   * one, and a 100 KB FHIR bundle read from Redis costs a text comparison instead of a parse.
   * The store stays the authority (every hit still reads the entry; tags and freshness are checked
   * as always). What changes for callers: hits return frozen objects, so code that edits a cached
   * value must copy it first (`structuredClone(value)`); writing to a frozen object throws in
   * strict mode. A loader's own result is returned as it is. `true` keeps up to 10,000 values;
   * `{ maxEntries }` sets the bound (oldest dropped first). Text codecs only (`format: 'string'`).
   * Values of any depth are frozen (a loop, not recursion); a decoded value that cannot be frozen
   * (a codec's exotic object) is treated like an undecodable entry: a miss, counted, logged, deleted.
   *
   * @default false (every hit decodes its own copy)
   * @example
   * ```ts
   * createCache({ driver, shareValues: true })                      // read-mostly data: lists, bundles
   * createCache({ driver, shareValues: { maxEntries: 500 } })      // a few large FHIR bundles
   * ```
   */
  readonly shareValues?: boolean | { readonly maxEntries?: number }
  /**
   * Where absorbed failures are reported. Lines carry the operation, error code and key label,
   * never a value, key or parameter.
   *
   * @default rateLimitedConsoleLogger() (console.warn, one identical line per 10 s at most)
   * @example
   * ```ts
   * createCache({ driver, logger: { warn: (message, fields) => log.warn(fields, message) } })
   * ```
   */
  readonly logger?: CacheLogger
  /**
   * The OpenTelemetry meter for `cache_hits_total`, `cache_misses_total`, `cache_latency_seconds`,
   * `cache_errors_total`. The default is read when the cache is created: start the SDK first.
   *
   * @default metrics.getMeter('@cachette/core') (a no-op until an SDK is installed)
   * @example
   * ```ts
   * createCache({ driver, meter: meterProvider.getMeter('identity-service') })
   * ```
   */
  readonly meter?: Meter
  /**
   * Environment variables to read `CACHE_ENABLED`, `CACHE_TTL_DEFAULT`, `CACHE_TTL_<NAME>` from;
   * `false` reads none (tests).
   *
   * @default globalThis.process?.env
   * @example
   * ```ts
   * createCache({ driver, env: false }) // tests: CACHE_* variables are not read
   * createCache({ driver, env })        // Cloudflare Workers (no process.env): the env of fetch(request, env)
   * ```
   */
  readonly env?: CacheEnv | false
  /**
   * Where the cache reads the time (tag token refresh). Tests pass a fake clock, with the same
   * clock given to `memoryDriver({ clock })`.
   *
   * @default systemClock
   * @example
   * ```ts
   * const clock = createFakeClock() // from @cachette/testing
   * createCache({ driver: memoryDriver({ clock }), clock, env: false })
   * ```
   */
  readonly clock?: Clock
  /**
   * The fence against the cache-aside race across processes: a getOrSet load that started before
   * an invalidation of its key (by `invalidate`, `deletePattern` or one of its tags), in any
   * process, does not write what it read. Invalidations leave a tombstone that lives `ttl`;
   * getOrSet writes with SET NX after removing exactly what its read saw. `ttl` must outlive your
   * slowest load: a load that took longer is returned to its callers but not written.
   * `false` restores plain DEL and SET (loads in flight in other processes may then write data read
   * before the invalidation, for a whole TTL).
   * With `wire: 'plain'` it is off unless given: tombstones (`@cf <token>`) are not JSON, and a
   * foreign reader must never meet one it was not told about. Given explicitly there, foreign
   * readers must treat a value starting with `@cf ` as absent.
   *
   * @default { ttl: '1m' } (with `wire: 'plain'`: false)
   * @example
   * ```ts
   * createCache({ driver, fence: { ttl: '5m' } }) // loads of up to about 5 minutes (exports)
   * createCache({ driver, fence: false })         // the store is only ever written by this process
   * createCache({ driver, wire: 'plain', fence: { ttl: '1m' } }) // other services skip values starting with '@cf '
   * ```
   */
  readonly fence?: false | { readonly ttl?: Duration }
  /**
   * How entries are laid out in the store. `'cachette'`: the versioned envelope (`@c1`, then
   * metadata for tags and freshness, then the codec's payload). `'plain'`: the codec's payload
   * alone, byte for byte (with the JSON codec, what `JSON.stringify` gives), so that services in
   * other languages share the keys: Python's `json.loads`, Go's `json.Unmarshal` or
   * `@upstash/redis` read what Cachette writes, and Cachette reads the JSON they write. Every
   * entry still gets a TTL. A plain entry has no room for metadata, so tags (key or call),
   * `grace`, `staleWhileRevalidate` and `earlyRefresh` are refused with an InvalidOptionsError
   * (here for the cache's options, at each call for a key's or a call's), and the fence is off
   * unless given. Every Cachette instance sharing the keys must use the same `wire`: an entry of
   * the other layout reads as corrupted (a miss, counted in `decodeFailures`, deleted).
   * See docs/wire-format.md.
   *
   * @default 'cachette'
   * @example
   * ```ts
   * // identity:patient:42 is also read and written by the Python service (SETEX key 600 json)
   * createCache({ driver: ioredisDriver({ url }), prefix: 'identity', wire: 'plain' })
   * ```
   */
  readonly wire?: WireFormat
  /**
   * Compresses large values before they are stored: a payload (the codec's output) of at least
   * `threshold` bytes is stored gzip- or brotli-compressed, in a `@c2` envelope that says so;
   * smaller ones are stored and read exactly as without this option. A FHIR bundle of 100 KB to
   * 1 MB is stored 7- to 9-fold smaller with the JSON codec (the compressed bytes in base64; 10- to
   * 12-fold as raw bytes with a bytes codec). It costs a decompression on each hit of a compressed
   * entry and a compression (off the event loop on Node) on each write, which getOrSet waits for:
   * worth it for large values on a remote store, rarely on `memoryDriver()` (docs/benchmarks.md).
   * Entries are readable whatever this option says (a cache with compression off still reads
   * compressed entries); readers from before compression take them for corrupted ones (a miss),
   * so turn it on once every reader is upgraded. `true` is gzip with the defaults. With
   * `wire: 'plain'` only gzip, flagged by its magic bytes: other services must decompress
   * (docs/wire-format.md). Counted in `stats().compressedWrites` and `compressionSavedBytes`.
   *
   * @default false
   * @example
   * ```ts
   * createCache({ driver: ioredisDriver({ url }), prefix: 'fhir', compression: true })      // gzip from 4 KB
   * createCache({ driver, compression: { algorithm: 'brotli', threshold: 16 * 1024 } })      // Node >= 20.16 readers only
   * ```
   */
  readonly compression?: boolean | CompressionOptions
  /**
   * A memory tier in front of the store (two tiers). Reads are answered from process memory while
   * an entry is in it (no round trip, and no store at all while it is down); writes and
   * invalidations go to the store, then to the other processes' memory tiers over the driver's
   * pub/sub (the invalidation bus: keys, tags and patterns, never values). While the bus is
   * disconnected the memory tier answers nothing, since messages may be missed meanwhile. With the
   * store unreachable, an entry it holds is served as stale within the entry's TTL and grace.
   * `true` takes the defaults. See docs/tiers.md.
   *
   * @default undefined (one tier: every read asks the store)
   * @example
   * ```ts
   * createCache({ driver: ioredisDriver({ url }), prefix: 'identity', l1: true })
   * createCache({ driver, l1: { maxEntries: 50_000, maxBytes: 128 * 1024 * 1024, ttl: '30s' } })
   * ```
   */
  readonly l1?: boolean | L1Options
  /**
   * Encrypts every value at rest with AES-256-GCM (WebCrypto: edge-safe): a random IV per write,
   * the full store key as associated data (a ciphertext copied or renamed under another key reads
   * as a miss), the key id in the entry so that rotation needs no flush. Compression, when on,
   * runs first. Keys, tag tokens and metadata stay readable; the memory tier (`l1`) holds values
   * decrypted, in process memory only. Without this option, `CACHE_ENCRYPTION_KEYS`
   * (`id:base64,...`) and `CACHE_ENCRYPTION_CURRENT` turn it on. Refused with `wire: 'plain'`.
   * See docs/security.md.
   *
   * @default undefined (values stored as the codec writes them, unless the environment sets keys)
   * @example
   * ```ts
   * createCache({ driver, prefix: 'identity', encryption: { keys: { '2026-12': key }, current: '2026-12' } })
   * ```
   */
  readonly encryption?: EncryptionOptions
}

/** The options after validation, defaults and environment, as the cache uses them. */
export interface ResolvedCacheConfig {
  readonly driver: BaseDriver
  /** The cache created the driver (no `driver` option): `close()` closes it by default. */
  readonly ownsDriver: boolean
  readonly prefix: string
  /** `prefix + ':'`, or '' without a prefix. */
  readonly keyPrefix: string
  readonly defaultTtlMs: number
  readonly maxTtlMs: number
  readonly policiesMs: ReadonlyMap<string, number>
  readonly jitter: number
  readonly deadlineMs: number
  readonly enabled: boolean
  readonly codec: Codec<any>
  /** Bound of the shared decoded values, or undefined when `shareValues` is off. */
  readonly shareValues: { readonly maxEntries: number } | undefined
  readonly logger: CacheLogger
  readonly meter: Meter
  readonly clock: Clock
  /** The cache-wide resilience settings (keys and calls may override them). */
  readonly loadPolicy: LoadPolicy
  readonly circuitBreaker: CircuitBreakerConfig | undefined
  readonly invalidationQueue: InvalidationQueueConfig | undefined
  readonly events: CacheEventListeners | undefined
  readonly diagnosticsChannel: DiagnosticsChannelModule | undefined
  /** How long a tombstone lives, ms; undefined when the fence is off. */
  readonly fenceMs: number | undefined
  /** How entries are laid out: the envelope, or the codec's payload alone. */
  readonly wire: WireFormat
  /** Compression of large payloads, or undefined when off. */
  readonly compression: ResolvedCompression | undefined
  /** The memory tier, or undefined without one. */
  readonly l1: ResolvedL1 | undefined
  /** Seals and opens entries (`encryption`), or undefined when values are stored in clear. */
  readonly sealer: Sealer | undefined
}

const durationSchema = z.custom<Duration>((value) => isDurationLike(value), {
  message: "expected a duration: milliseconds, or a string such as '500ms', '10s', '5m', '1h', '1d'",
})
const objectWith = (methods: readonly string[], message: string) =>
  z.custom<unknown>((value) => typeof value === 'object' && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'), { message })

const optionsSchema = z.strictObject({
  driver: objectWith(['get', 'mget', 'set', 'delete', 'pexpire', 'scan', 'compareAndDelete', 'ping', 'info', 'close'], 'expected a BaseDriver (get, mget, set, delete, pexpire, scan, compareAndDelete, ping, info, close)').optional(),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_.\-]+)*$/, "expected letters, digits, '_', '.', '-', segments joined by ':' (no glob character, brace, whitespace, leading or trailing ':')")
    .optional(),
  ttl: durationSchema.optional(),
  ttls: z.record(z.string().regex(POLICY_NAME_PATTERN, 'policy names are lower-case letters, digits and _, starting with a letter'), durationSchema).optional(),
  maxTtl: durationSchema.optional(),
  jitter: z.number().min(0).lt(1, 'must be below 1').optional(),
  deadlineMs: z.number().int().min(1).max(60_000).optional(),
  enabled: z.boolean().optional(),
  codec: z
    .custom<unknown>(
      (value) =>
        typeof value === 'object' && value !== null && ['string', 'bytes'].includes((value as { format?: unknown }).format as string) &&
        typeof (value as { encode?: unknown }).encode === 'function' && typeof (value as { decode?: unknown }).decode === 'function',
      { message: "expected a Codec: { name, format: 'string' | 'bytes', encode, decode }" },
    )
    .optional(),
  shareValues: z.union([z.boolean(), z.strictObject({ maxEntries: z.number().int().min(1).max(10_000_000).optional() })]).optional(),
  logger: objectWith(['warn'], 'expected a logger with a warn(message, fields) method').optional(),
  meter: objectWith(['createCounter', 'createHistogram'], 'expected an OpenTelemetry Meter').optional(),
  // process.env is not a plain object (z.record refuses it); its variables are checked one by one
  // in cacheConfigFromEnv, so here any object will do.
  env: z.union([z.literal(false), z.custom<CacheEnv>((value) => typeof value === 'object' && value !== null)]).optional(),
  clock: objectWith(['now'], 'expected a Clock with a now() method').optional(),
  fence: z.union([z.literal(false), z.strictObject({ ttl: durationSchema.optional() })]).optional(),
  wire: z.enum(['cachette', 'plain']).optional(),
  compression: compressionSchema.optional(),
  l1: l1Schema.optional(),
  encryption: encryptionSchema.optional(),
  ...resilienceShape,
  ...storeProtectionShape,
})

/** The shortest fence: below it, ordinary loads would outlive their tombstones. */
const MIN_FENCE_MS = 1_000

/** Values kept by `shareValues: true`: enough for the hot keys of a service, bounded in memory. */
const DEFAULT_SHARED_VALUES = 10_000

function sharedValuesBound(option: CacheOptions['shareValues']): { readonly maxEntries: number } | undefined {
  if (option === undefined || option === false) return undefined
  return { maxEntries: option === true ? DEFAULT_SHARED_VALUES : (option.maxEntries ?? DEFAULT_SHARED_VALUES) }
}

function fail(problems: readonly string[], cause?: unknown): never {
  throw new InvalidOptionsError(`[@cachette/core] createCache options are invalid: ${problems.join('; ')}`, { cause })
}

/** Converts a duration option, turning its error into a readable option problem. */
function durationMs(name: string, duration: Duration, problems: string[]): number {
  try {
    return parseDuration(duration)
  } catch (error) {
    problems.push(`${name}: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'invalid duration'}`)
    return Number.NaN
  }
}

/**
 * Validates options once, applies defaults and the environment. Env wins over code: it is how
 * operators tune a running service without a release.
 *
 * @throws InvalidOptionsError listing every problem (options and environment variables).
 * @example
 * ```ts
 * const config = resolveCacheOptions({ prefix: 'identity', env: false })
 * ```
 */
export function resolveCacheOptions(options: CacheOptions = {}): ResolvedCacheConfig {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) {
    fail(describeIssues(parsed.error.issues as Parameters<typeof describeIssues>[0]), parsed.error)
  }
  const env: CacheEnvConfig = options.env === false ? { ttlsMs: {} } : cacheConfigFromEnv(options.env ?? globalThis.process?.env ?? {})
  const problems: string[] = []
  const maxTtlMs = durationMs('maxTtl', options.maxTtl ?? '30d', problems)
  const defaultTtlMs = env.ttlMs ?? durationMs('ttl', options.ttl ?? '5m', problems)
  // Built-in presets are capped by maxTtl (a service with maxTtl '1h' need not restate 'static').
  const policiesMs = new Map<string, number>()
  for (const [name, duration] of Object.entries(ttlPresets)) policiesMs.set(name, Math.min(parseDuration(duration), maxTtlMs))
  const configured = new Map<string, number>()
  for (const [name, duration] of Object.entries(options.ttls ?? {})) configured.set(name, durationMs(`ttls.${name}`, duration, problems))
  for (const [name, ms] of Object.entries(env.ttlsMs)) configured.set(name, ms)

  // TTLs the service configures are checked: above maxTtl they are a mistake to fix, not to clamp.
  if (defaultTtlMs > maxTtlMs) problems.push(`${env.ttlMs === undefined ? 'ttl' : 'CACHE_TTL_DEFAULT'}: exceeds maxTtl (${maxTtlMs} ms)`)
  for (const [name, ms] of configured) {
    if (ms > maxTtlMs) problems.push(`${env.ttlsMs[name] === undefined ? `ttls.${name}` : `CACHE_TTL_${name.toUpperCase()}`}: exceeds maxTtl (${maxTtlMs} ms)`)
    policiesMs.set(name, ms)
  }
  let loadPolicy = DEFAULT_LOAD_POLICY
  try {
    loadPolicy = mergeLoadPolicy(DEFAULT_LOAD_POLICY, options, 'createCache options', true)
  } catch (error) {
    problems.push(isCacheError(error) ? error.message.replace(/^\[@cachette\/core\] (createCache options are invalid: )?/, '') : 'invalid resilience options')
  }
  const protection = resolveStoreProtection(options, problems)
  const deadlineMs = options.deadlineMs ?? 500
  const wire = options.wire ?? 'cachette'
  // Plain entries are read by services that know nothing of tombstones: the fence only when asked.
  const fence = options.fence ?? (wire === 'plain' ? false : {})
  const fenceMs = fence === false ? undefined : durationMs('fence.ttl', fence.ttl ?? '1m', problems)
  // A fenced write needs up to two deadlines (compareAndDelete, SET NX) after its load ends.
  if (fenceMs !== undefined && !(fenceMs >= MIN_FENCE_MS && fenceMs > 4 * deadlineMs)) {
    problems.push(`fence.ttl: must be at least ${MIN_FENCE_MS} ms and more than 4 × deadlineMs (${4 * deadlineMs} ms)`)
  }
  if (wire === 'plain') for (const name of envelopeOptionsIn(options) ?? []) problems.push(needsEnvelope(name))
  const compression = resolveCompression(options.compression, wire, problems)
  const rawEnv = options.env === false ? {} : (options.env ?? globalThis.process?.env ?? {})
  const sealer = resolveEncryption(options.encryption, rawEnv, wire, problems)
  if (problems.length > 0) fail(problems)

  const driver = options.driver ?? memoryDriver()
  const l1 = resolveL1(options.l1, driver.capabilities, driver.name, problems, options.prefix === undefined ? '' : `${options.prefix}:`)
  if (problems.length > 0) fail(problems)
  const codec = options.codec ?? jsonCodec
  if (codec.format === 'bytes' && driver.capabilities?.binary !== true) {
    fail([`codec: the '${codec.name}' codec stores bytes but the '${driver.name}' driver does not support binary values`])
  }
  return {
    driver,
    ownsDriver: options.driver === undefined,
    prefix: options.prefix ?? '',
    keyPrefix: options.prefix === undefined ? '' : `${options.prefix}:`,
    defaultTtlMs,
    maxTtlMs,
    policiesMs,
    jitter: options.jitter ?? 0,
    deadlineMs,
    enabled: options.enabled !== false && env.enabled !== false,
    codec,
    shareValues: sharedValuesBound(options.shareValues),
    logger: options.logger ?? rateLimitedConsoleLogger(),
    meter: options.meter ?? metrics.getMeter('@cachette/core'),
    clock: options.clock ?? systemClock,
    loadPolicy,
    ...protection,
    fenceMs,
    wire,
    compression,
    l1,
    sealer,
  }
}
