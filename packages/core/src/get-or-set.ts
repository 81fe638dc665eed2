import { readEntry } from './cache-read.js'
import { MISS, type CacheRuntime, type Flight } from './cache-runtime.js'
import { encodePayload, storeEntry, type PreparedWrite } from './cache-write.js'
import { delay } from './deadline.js'
import type { Key } from './define-key.js'
import { isCacheError } from './errors.js'
import type { TagTokens } from './tag-tokens.js'
import { parseTtlSpec, type ParsedTtl, type TtlSpec } from './ttl.js'

/**
 * What a loader receives: ways to change how its result is cached.
 *
 * @example
 * ```ts
 * await cache.getOrSet(key, async (ctx) => {
 *   const patient = await db.find(id)
 *   if (patient === null) ctx.setTtl('30s')     // cache "not found" briefly
 *   if (patient?.draft) ctx.skipCache()          // never cache drafts
 *   return patient
 * })
 * ```
 */
export interface LoaderContext {
  /** Do not store this result. Every caller waiting on this load still receives it. */
  skipCache(): void
  /** Store this result with this TTL (a duration or a policy name) instead of the key's. */
  setTtl(ttl: TtlSpec): void
}

/** A getOrSet loader: returns the value (or a promise of it); `undefined` is returned but never stored. */
export type Loader<T> = (ctx: LoaderContext) => T | Promise<T>

/** Options of `cache.set()` and `cache.getOrSet()`. */
export interface WriteOptions {
  /**
   * This entry's TTL: a duration or a TTL policy name.
   *
   * @default the key's TTL, else the cache's default TTL
   */
  readonly ttl?: TtlSpec
  /**
   * Tags, added to those of the key definition, for `cache.invalidateTags()`.
   *
   * @default none
   */
  readonly tags?: readonly string[]
}

class Context implements LoaderContext {
  skipped = false
  ttl: ParsedTtl | undefined
  skipCache(): void {
    this.skipped = true
  }
  setTtl(ttl: TtlSpec): void {
    this.ttl = parseTtlSpec(ttl)
  }
}

async function runLoader(rt: CacheRuntime, loader: Loader<unknown>, context: Context): Promise<unknown> {
  rt.stats.loaderCalls++
  try {
    return await loader(context)
  } catch (error) {
    rt.stats.loaderErrors++
    throw error
  }
}

/**
 * `cache.getOrSet`: one flight per full key per process. The flight reads the entry, runs the
 * loader on a miss and writes the result. Callers arriving during a flight share its promise:
 * the same value, or the loader's very error object. Store failures never reach callers.
 *
 * @example
 * ```ts
 * const patient = await getOrSet(rt, tagTokens, patientKey({ id: 42 }), () => db.loadPatient(42), undefined)
 * ```
 */
export function getOrSet(
  rt: CacheRuntime,
  tagTokens: TagTokens,
  key: Key<unknown> | string,
  loader: Loader<unknown>,
  options: WriteOptions | undefined,
): Promise<unknown> {
  const spec = rt.specOf(key)
  if (!rt.config.enabled || rt.closed) {
    const attributes = rt.attributesOf(spec)
    rt.stats.misses++
    rt.metrics.miss(attributes)
    return runLoader(rt, loader, new Context())
  }
  const fullKey = rt.fullKey(key)
  const existing = rt.flights.get(fullKey)
  if (existing !== undefined) return existing.promise

  const attributes = rt.attributesOf(spec)
  // The promise is assigned right below; finish() only runs after an await, so never before that.
  const flight = { promise: undefined as unknown as Promise<unknown>, skipWrite: false } satisfies Flight
  const finish = () => {
    if (rt.flights.get(fullKey) === flight) rt.flights.delete(fullKey)
  }

  flight.promise = (async () => {
    const readStarted = performance.now()
    let readOk = true
    try {
      const cached = await readEntry(rt, tagTokens, fullKey, spec, attributes, 'get')
      if (cached !== MISS) {
        rt.stats.hits++
        rt.metrics.hit(attributes)
        finish()
        return cached
      }
    } catch {
      // Store failure or deadline: already counted and logged. Degrade to the loader.
      readOk = false
    }
    rt.stats.misses++
    rt.metrics.miss(attributes)
    const readElapsedMs = performance.now() - readStarted

    let tags: readonly string[]
    let ttlMs: number
    try {
      // Programming errors (bad tag, unknown TTL policy) surface before the loader runs.
      tags = rt.tagsOf(key, spec, options?.tags)
      ttlMs = rt.ttlMs(spec, options?.ttl === undefined ? undefined : parseTtlSpec(options.ttl), 'getOrSet', attributes)
    } catch (error) {
      finish()
      throw error
    }
    // Ask for the tag tokens before the loader runs: an invalidateTags() during the load then
    // replaces a token we already hold, and the entry written below reads as a miss.
    const tokens = tags.length > 0 && readOk ? tagTokens.ensure(tags, attributes, spec) : undefined
    tokens?.catch(() => undefined)

    const context = new Context()
    let value: unknown
    try {
      value = await runLoader(rt, loader, context)
    } catch (error) {
      finish()
      throw error
    }
    if (value === undefined || context.skipped || flight.skipWrite || rt.closed) {
      finish()
      return value
    }

    let write: PreparedWrite
    try {
      write = {
        fullKey,
        spec,
        attributes,
        encoded: encodePayload(rt.codecOf(spec), value, spec),
        ttlMs: context.ttl === undefined ? ttlMs : rt.ttlMs(spec, context.ttl, 'getOrSet', attributes),
        tags,
      }
    } catch (error) {
      // The caller asked for the value, not for it to be cached: report, do not fail.
      rt.stats.errors++
      rt.warn('the value could not be cached', 'getOrSet', isCacheError(error) ? error.code : 'INVALID_OPTIONS', attributes, spec, error instanceof Error ? error.name : undefined)
      finish()
      return value
    }
    const stored = storeEntry(rt, tagTokens, write, tokens).finally(finish)
    rt.track(stored)
    // Wait for the write only while the read-and-write budget (one deadline) lasts, and not at
    // all after a failed read: callers get the value within deadlineMs + the loader's time.
    if (readOk) {
      const budgetMs = rt.config.deadlineMs - readElapsedMs
      if (budgetMs > 0) await Promise.race([stored, delay(budgetMs, stored)])
    }
    return value
  })()
  rt.flights.set(fullKey, flight)
  return flight.promise
}
