import type { CacheEventListener, CacheEventName } from './observability/cache-events.js'
import { getValue, hasValue } from './operations/cache-read.js'
import { resolveCacheOptions, type CacheOptions } from './options/cache-options.js'
import { CacheRuntime } from './store-calls/cache-runtime.js'
import type { CacheStats } from './observability/cache-stats.js'
import { setValue } from './operations/cache-write.js'
import { deletePattern, deletePatternNow, invalidateKeys, invalidateTags } from './operations/cache-invalidation.js'
import type { CircuitState } from './resilience/circuit-breaker.js'
import { withDeadline } from './store-calls/deadline.js'
import { escapeGlob } from './keys/glob.js'
import type { Key, KeyPattern } from './keys/define-key.js'
import { InvalidOptionsError, isCacheError, type CacheErrorCode } from './errors.js'
import { getOrSet, type Loader, type WriteOptions } from './operations/get-or-set.js'
import { fenceKeys } from './operations/fence.js'
import { InvalidationQueue } from './resilience/invalidation-queue.js'
import { invalidateTagsRefused } from './encoding/plain-wire.js'
import { OPEN_KIT } from './kit/kit-symbol.js'
import type { KitOptions } from './kit/kit-api.js'
import type { DriverCapability } from './driver/driver.js'
import { openKit } from './kit/open-kit.js'
import { announce, l1Stats, startTiers } from './tiers/tiers.js'
import { expireKeys, expireTags } from './operations/soft-expiry.js'
import { clearAll } from './operations/clear.js'
import { reencryptAll, type ReencryptResult } from './operations/reencrypt.js'
import { getMany } from './operations/get-many.js'
import { setMany, type SetManyEntry } from './operations/set-many.js'
import { getOrSetMany, type ManyLoader } from './operations/get-or-set-many.js'
import { forgetSubjects } from './operations/forget.js'

/** What `cache.health()` reports. It never throws. */
export interface CacheHealth {
  /** The store answered a PING within the deadline (always true while the cache is disabled: it is not in use). */
  readonly ok: boolean
  /** Whether the cache is enabled (`enabled` option and `CACHE_ENABLED`). */
  readonly enabled: boolean
  /** The driver's name. */
  readonly driver: string
  /** PING round trip in ms (0 when not measured). */
  readonly latencyMs: number
  /** Why `ok` is false: `DRIVER_FAILURE`, `DEADLINE_EXCEEDED`, `CLOSED`... */
  readonly error?: CacheErrorCode
  /** The circuit breaker's state; absent without a breaker. `health()` pings the store even while it is open. */
  readonly circuit?: CircuitState
  /** Failed invalidations waiting in the queue for the store (0 without a queue). */
  readonly pendingInvalidations: number
}

/**
 * A cache. Reads never throw for store problems (a failure is a miss); writes resolve `false`;
 * invalidations reject so a lost invalidation is never silent. See docs/concepts.md.
 */
export interface Cache {
  /** Whether the cache is in use (false: kill switch). */
  readonly enabled: boolean
  /**
   * The value, or `undefined` on a miss, a corrupted entry (deleted, counted) or a store failure (counted).
   *
   * @example
   * ```ts
   * const patient = await cache.get(patientKey({ id: 42 })) // Patient | undefined
   * ```
   */
  get<T>(key: Key<T> | string): Promise<T | undefined>
  /**
   * Stores a value. Resolves `true` when stored, `false` when the store failed (counted and
   * logged), the cache is disabled, or the value is `undefined` (never cached).
   *
   * @throws InvalidKeyError for a bad tag; InvalidOptionsError when the codec cannot encode the value or the TTL policy is unknown,
   * or, with `wire: 'plain'`, when the key or call asks for tags, grace, staleWhileRevalidate or earlyRefresh (as do get, has and getOrSet).
   * @example
   * ```ts
   * await cache.set(patientKey({ id: 42 }), patient, { ttl: '10m', tags: ['ej:1'] })
   * ```
   */
  set<T>(key: Key<T> | string, value: NoInfer<T>, options?: WriteOptions): Promise<boolean>
  /**
   * Whether get() would hit now. Reads the entry; counts no hit or miss; false on a store failure.
   *
   * @example
   * ```ts
   * await cache.has(patientKey({ id: 42 }))
   * ```
   */
  has(key: Key<unknown> | string): Promise<boolean>
  /**
   * The cached value, or the loader's, stored for next time. One loader run per key per process
   * however many callers wait (they all get the same value, or the same error object); a loader
   * error is never cached; a store failure or a slow store never fails the call (the caller gets
   * the loader's value within `deadlineMs` + the loader's time). `undefined` is returned, never
   * stored; `ctx.skipCache()` returns without storing.
   *
   * @example
   * ```ts
   * const patient = await cache.getOrSet(patientKey({ id }), () => db.loadPatient(id)) // Patient
   * ```
   */
  getOrSet<T, R extends T | undefined = T>(
    key: Key<T> | string,
    loader: Loader<R>,
    options?: WriteOptions,
  ): Promise<unknown extends T ? R : T | Extract<R, undefined>>
  /**
   * The values of several keys, in their order, `undefined` for a miss: what get() would give for
   * each, in as few round trips as the store allows. The memory tier answers first; the rest is
   * read with one MGET (on a Redis Cluster, one MGET per hash slot, sent in parallel). A key given
   * twice is read once and answered at both places; each distinct key counts one hit or miss. A
   * stale entry is a miss, as in get(). A store failure never rejects: the keys of a failed MGET
   * are misses (counted), the others still answer.
   *
   * @throws InvalidKeyError when `keys` is not an array of keys; InvalidOptionsError with `wire: 'plain'` for a key asking for tags or grace (as get does).
   * @example
   * ```ts
   * const [alice, bob] = await cache.getMany([patientKey({ id: 1 }), patientKey({ id: 2 })]) // (Patient | undefined)[]
   * ```
   */
  getMany<T>(keys: readonly (Key<T> | string)[]): Promise<(T | undefined)[]>
  /**
   * Stores several values, each as set() would (its own TTL and tags through `options`), the
   * writes in parallel. Every entry is checked and encoded before anything is written, so bad
   * input throws and writes nothing. Resolves, in entry order, whether each was stored (false: a
   * store failure, a disabled or closed cache, an `undefined` value). A key given twice is written
   * once, with its last entry.
   *
   * @throws InvalidOptionsError when `entries` is not an array of `{ key, value, options? }`, or as set() does; InvalidKeyError for a bad key or tag.
   * @example
   * ```ts
   * await cache.setMany([
   *   { key: patientKey({ id: 1 }), value: alice },
   *   { key: patientKey({ id: 2 }), value: bob, options: { ttl: '1m', tags: ['ej:1'] } },
   * ]) // [true, true]
   * ```
   */
  setMany<T>(entries: readonly { readonly key: Key<T> | string; readonly value: NoInfer<T>; readonly options?: WriteOptions }[]): Promise<boolean[]>
  /**
   * getOrSet for several keys: the values in key order, the missing ones loaded by ONE
   * `loadMany(missing)` call that receives only them (the very key objects given, deduplicated,
   * in input order) and must
   * resolve one value per key, in that order (`undefined`: returned, never stored). A key that a
   * getOrSet is loading joins that load, and a getOrSet of a key this call loads joins this call:
   * no key is loaded twice in a process. Stale entries (within their grace) are loaded with the
   * misses. A loader error rejects with that very error and caches nothing; an array of another
   * length rejects with an InvalidOptionsError. Writes are fenced as getOrSet's, and never fail the
   * call. The per-key resilience of getOrSet (lock, loader timeouts, stale-if-error,
   * stale-while-revalidate, early refresh, revalidate) does not apply; `grace` still times the entries written.
   *
   * @throws InvalidKeyError when `keys` is not an array of keys, or for a bad tag; InvalidOptionsError when `loadMany` is not a function, or with `wire: 'plain'` for refused options (as getOrSet).
   * @example
   * ```ts
   * const idOf = new Map(ids.map((id) => [patientKey({ id }), id]))
   * const patients = await cache.getOrSetMany([...idOf.keys()], async (missing) => {
   *   const rows = await db.loadPatients(missing.map((key) => idOf.get(key)!)) // Map<id, Patient>
   *   return missing.map((key) => rows.get(idOf.get(key)!)) // one value (or undefined) per key, in order
   * }, { ttl: '10m' }) // (Patient | undefined)[]
   * ```
   */
  getOrSetMany<T>(
    keys: readonly (Key<T> | string)[],
    loadMany: (missing: readonly (Key<T> | string)[]) => Promise<readonly (T | undefined)[]> | readonly (T | undefined)[],
    options?: WriteOptions,
  ): Promise<(T | undefined)[]>
  /**
   * Deletes entries; resolves how many existed. Rejects (DriverError / DeadlineExceededError) on
   * a store failure so the caller can retry: a lost invalidation would leave stale data.
   *
   * @example
   * ```ts
   * await cache.invalidate([patientKey({ id: 1 }), patientKey({ id: 2 })])
   * ```
   */
  invalidate(keys: Key<unknown> | string | readonly (Key<unknown> | string)[]): Promise<number>
  /**
   * Deletes the entries matching a glob below the cache prefix, by SCAN (never KEYS) and batched
   * deletes; resolves how many existed. `key.pattern()` deletes only that template's keys.
   * Rejects on a store failure.
   *
   * @example
   * ```ts
   * await cache.deletePattern(exportKey.pattern({ ejId: 1 }))  // fhir:export:*:ej:1
   * await cache.deletePattern('fhir:export:*')                 // a raw glob, your responsibility
   * ```
   */
  deletePattern(pattern: KeyPattern | string): Promise<number>
  /**
   * Invalidates every entry carrying one of `tags`, in one store write per tag whatever the
   * number of entries. Rejects on a store failure, and with an InvalidOptionsError with
   * `wire: 'plain'` (no entry carries tags there).
   *
   * @example
   * ```ts
   * await cache.invalidateTags([`tenant:${tenantId}`])
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<void>
  /**
   * Erasure by data subject (the right to be forgotten): removes every entry written with one of
   * `subjects` (the `subjects` write option or key definition option), in the store, this
   * process's memory tier and, through the invalidation bus, every other process's, on a Redis
   * Cluster too. Reads one index per subject: the cost grows with that subject's entries, never
   * with the cache. Entries are removed like invalidate() removes them (tombstones with the
   * fence on); the bus carries their store keys, never the subject. Resolves how many entries
   * existed. Rejects on a store failure (what was removed stays removed: call it again); a failed
   * forget is not queued. Call it after the data is erased at its source.
   *
   * @throws InvalidKeyError for a bad subject (the message never quotes it); MissingCapabilityError (code `MISSING_CAPABILITY`) when the driver has no `sets`.
   * @example
   * ```ts
   * await cache.set(patientKey({ id: 42 }), patient, { subjects: ['patient:42'] })
   * await db.erasePatient(42)
   * await cache.forget('patient:42') // 1
   * ```
   */
  forget(subjects: string | readonly string[]): Promise<number>
  /**
   * Soft expiry: the entries become stale but stay in the store, so grace can still serve them if
   * the loader fails; get() and has() miss at once, getOrSet runs the loader. Unlike invalidate,
   * which deletes. In every tier and process. Resolves how many entries were made stale. With
   * `wire: 'plain'`, a bytes codec or a driver without compareAndSet, the entries are deleted
   * instead. Rejects on a store failure.
   *
   * @example
   * ```ts
   * await cache.expire(patientKey({ id: 42 })) // refreshed on next read; old value kept for grace
   * ```
   */
  expire(keys: Key<unknown> | string | readonly (Key<unknown> | string)[]): Promise<number>
  /**
   * Soft expiry by tag: every entry carrying one of `tags` becomes stale (served by grace if the
   * loader fails) in one store write per tag, in every tier and process. Rejects on a store
   * failure, and with an InvalidOptionsError with `wire: 'plain'`.
   *
   * @example
   * ```ts
   * await cache.expireTags([`tenant:${tenantId}`])
   * ```
   */
  expireTags(tags: readonly string[]): Promise<void>
  /**
   * Deletes every entry of this cache's prefix, on every master, in every tier and process
   * (tag tokens, locks and tombstones included). Resolves how many store keys existed.
   *
   * @throws InvalidOptionsError when the cache has no prefix (it would be the whole database).
   * @example
   * ```ts
   * await cache.clear()
   * ```
   */
  clear(): Promise<number>
  /**
   * With `encryption`: rewrites every entry of the prefix sealed under an old key under the
   * current one (SCAN on every master, compare-and-set, expiry kept), and says how many remain
   * under each old key: drop a key once none do. Reads also rewrite what they open.
   *
   * @throws InvalidOptionsError when the cache has no encryption or no prefix.
   * @example
   * ```ts
   * const { reencrypted, remaining } = await cache.reencrypt() // remaining: {} once rotation is done
   * ```
   */
  reencrypt(): Promise<ReencryptResult>
  /**
   * Adds an event listener; returns the function that removes it. Events carry the key family
   * label and template, never a value, key or parameter; a listener that throws is ignored.
   *
   * @example
   * ```ts
   * const off = cache.on('staleHit', (event) => log.warn('served stale', { keyPrefix: event.keyPrefix }))
   * cache.on('circuitOpened', () => alert('cache store unreachable'))
   * ```
   */
  on(event: CacheEventName, listener: CacheEventListener): () => void
  /**
   * Counters since creation.
   *
   * @example
   * ```ts
   * cache.stats().hitRate
   * ```
   */
  stats(): CacheStats
  /**
   * Pings the store within the deadline. Never throws.
   *
   * @example
   * ```ts
   * app.get('/health/cache', async () => cache.health())
   * ```
   */
  health(): Promise<CacheHealth>
  /**
   * Waits for background writes (each bounded by its deadline) and makes a last try at queued
   * invalidations, then closes the driver only if the cache created it (no `driver` option: the
   * default memoryDriver()). A driver passed in stays open, since other caches may share it:
   * close it yourself, or pass `{ driver: true }`. Afterwards reads miss, getOrSet calls the
   * loader, writes resolve false, invalidations reject with code CLOSED. Idempotent (a later call
   * with `{ driver: true }` still closes the driver). Rejects with an InvalidOptionsError for an
   * argument that is not `{ driver?: boolean }`.
   *
   * @default the driver is closed only if the cache created it (see {@link CacheCloseOptions.driver})
   * @example
   * ```ts
   * // Two caches over one connection: closing one leaves the other working.
   * const driver = ioredisDriver({ url })
   * const identity = createCache({ driver, prefix: 'identity' })
   * const lists = createCache({ driver, prefix: 'lists' })
   * process.on('SIGTERM', async () => {
   *   await Promise.all([identity.close(), lists.close()])
   *   await driver.close()
   * })
   * // A cache alone on its driver can close both at once.
   * await cache.close({ driver: true })
   * ```
   */
  close(options?: CacheCloseOptions): Promise<void>
}

/** Options of `cache.close()`. */
export interface CacheCloseOptions {
  /**
   * Whether to close the driver as well. A cache closes only what it opened: the memoryDriver()
   * it created when no `driver` option was given. A driver passed in may be shared with other
   * caches or used directly, so it stays open unless `true`; `false` never closes it.
   *
   * @default true if the cache created the driver (no `driver` option), false for a driver passed in
   * @example
   * ```ts
   * await cache.close({ driver: true })  // this cache was the driver's only user
   * await cache.close({ driver: false }) // keep the driver open, even the default memoryDriver()
   * ```
   */
  readonly driver?: boolean
}

/**
 * Creates a cache. Options are validated once (zod); the environment (`CACHE_ENABLED`,
 * `CACHE_TTL_DEFAULT`, `CACHE_TTL_<NAME>`, in seconds) is read here.
 *
 * @throws InvalidOptionsError listing every invalid option or environment variable.
 * @example
 * ```ts
 * const cache = createCache({ driver: memoryDriver(), prefix: 'identity', ttl: '5m' })
 * const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m' })
 * const patient = await cache.getOrSet(patientKey({ id: 42 }), () => db.loadPatient(42))
 * ```
 */
export function createCache(options: CacheOptions = {}): Cache {
  const rt = new CacheRuntime(resolveCacheOptions(options))
  const driver = rt.config.driver
  if (rt.config.invalidationQueue !== undefined) {
    // Once a queued invalidation reaches the store, the other processes' memory tiers hear of it.
    rt.queue = new InvalidationQueue(rt.store, rt.config.invalidationQueue, {
      deleteKeys: (fullKeys) => fenceKeys(rt, fullKeys, 'invalidate', rt.keys.stringKeyAttributes, undefined).then((count) => announced(rt, { keys: fullKeys }, count)),
      deletePattern: (pattern) => deletePatternNow(rt, pattern).then((count) => announced(rt, { patterns: [patternGlob(rt, pattern)] }, count)),
      invalidateTags: (tags) => rt.tagTokens.invalidate(tags, rt.keys.stringKeyAttributes).then(() => announced(rt, { tags }, undefined)),
    })
  }
  startTiers(rt)
  let closing: Promise<void> | undefined
  let driverClosing: Promise<void> | undefined

  const cache: Cache = {
    enabled: rt.config.enabled,
    get: (key) => getValue(rt, key) as Promise<never>,
    has: (key) => hasValue(rt, key),
    getOrSet: (key, loader, writeOptions) => getOrSet(rt, key, loader as Loader<unknown>, writeOptions) as Promise<never>,
    set: (key, value, writeOptions) => setValue(rt, key, value, writeOptions),
    getMany: (keys) => getMany(rt, keys) as Promise<never>,
    setMany: (entries) => setMany(rt, entries as readonly SetManyEntry<unknown>[]),
    getOrSetMany: (keys, loadMany, writeOptions) => getOrSetMany(rt, keys, loadMany as ManyLoader<unknown>, writeOptions) as Promise<never>,
    invalidate: (keys) => invalidateKeys(rt, keys),
    deletePattern: (pattern) => deletePattern(rt, pattern),
    invalidateTags: (tags) => (rt.config.wire === 'plain' ? Promise.reject(invalidateTagsRefused()) : invalidateTags(rt, tags)),
    forget: (subjects) => forgetSubjects(rt, subjects),
    on: (event, listener) => rt.events.on(event, listener),
    expire: (keys) => expireKeys(rt, keys),
    expireTags: (tags) => (rt.config.wire === 'plain' ? Promise.reject(invalidateTagsRefused()) : expireTags(rt, tags)),
    clear: () => clearAll(rt),
    reencrypt: () => reencryptAll(rt),
    stats: () => rt.stats.snapshot(rt.flights.size, rt.queue?.size ?? 0, l1Stats(rt)),
    async health() {
      const driver = rt.config.driver.name
      const pendingInvalidations = rt.queue?.size ?? 0
      const circuit = rt.store.breaker === undefined ? {} : { circuit: rt.store.breaker.current }
      if (!rt.config.enabled) return { ok: true, enabled: false, driver, latencyMs: 0, pendingInvalidations }
      if (rt.closed) return { ok: false, enabled: true, driver, latencyMs: 0, error: 'CLOSED', ...circuit, pendingInvalidations }
      const started = performance.now()
      try {
        await withDeadline(Promise.resolve().then(() => rt.config.driver.ping()), rt.config.deadlineMs, 'health')
        const latencyMs = performance.now() - started
        rt.metrics.latencyMs(rt.keys.stringKeyAttributes, 'health', latencyMs)
        return { ok: true, enabled: true, driver, latencyMs, ...circuit, pendingInvalidations }
      } catch (error) {
        const code = isCacheError(error) ? error.code : 'DRIVER_FAILURE'
        return { ok: false, enabled: true, driver, latencyMs: performance.now() - started, error: code, ...circuit, pendingInvalidations }
      }
    },
    close(closeOptions) {
      let closeDriver: boolean
      try {
        closeDriver = closesDriver(closeOptions, rt.config.ownsDriver)
      } catch (error) {
        return Promise.reject(error)
      }
      closing ??= (async () => {
        rt.closed = true
        rt.shared?.clear()
        await Promise.allSettled([...rt.store.pending])
        // One last bounded try for invalidations that failed; what is left is counted and logged.
        await rt.queue?.close()
        // Then for what the bus could not announce yet, and the subscription ends.
        await rt.bus?.close()
        await rt.tracking?.close()
        rt.l1?.clear()
      })()
      if (closeDriver) {
        driverClosing ??= closing.then(async () => {
          try {
            // Bounded too: a store that never answers must not hang a shutdown.
            await withDeadline(Promise.resolve().then(() => rt.config.driver.close()), rt.config.deadlineMs, 'close')
          } catch (error) {
            rt.store.warn('closing the driver failed', 'close', isCacheError(error) ? error.code : 'DRIVER_FAILURE', rt.keys.stringKeyAttributes, undefined, error instanceof Error ? error.name : undefined)
          }
        })
      }
      return driverClosing ?? closing
    },
  }
  // The kit of domain packages (`@cachette/core/kit`) reaches this cache's runtime through it.
  Object.defineProperty(cache, OPEN_KIT, { value: (kitOptions: KitOptions<DriverCapability>) => openKit(rt, kitOptions) })
  return Object.freeze(cache)
}

/**
 * Whether close() closes the driver: as asked, else only the one the cache created (a driver
 * passed in may serve other caches: closing it here broke them).
 */
function closesDriver(options: CacheCloseOptions | undefined, ownsDriver: boolean): boolean {
  if (options === undefined) return ownsDriver
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError('[@cachette/core] cache.close() options are invalid: expected an object such as { driver: true }')
  }
  for (const name of Object.keys(options)) {
    if (name !== 'driver') throw new InvalidOptionsError(`[@cachette/core] cache.close() options are invalid: unknown option '${name}' (the only option is driver)`)
  }
  const { driver } = options
  if (driver === undefined) return ownsDriver
  if (typeof driver !== 'boolean') throw new InvalidOptionsError('[@cachette/core] cache.close() options are invalid: driver: expected true or false')
  return driver
}

/** Announces an invalidation the queue applied, passing its result through. */
function announced<T>(rt: CacheRuntime, message: Parameters<typeof announce>[1], result: T): T {
  announce(rt, message)
  return result
}

/** The store glob of a queued pattern (what other processes match their memory tier against). */
function patternGlob(rt: CacheRuntime, pattern: KeyPattern | string): string {
  return escapeGlob(rt.config.keyPrefix) + (typeof pattern === 'string' ? pattern : pattern.glob)
}
