import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { ResilienceOptions } from '../options/resilience-options.js'
import { parseTtlSpec, type ParsedTtl, type TtlSpec } from '../options/ttl.js'

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
  /**
   * Do not store this result. Every caller waiting on this load still receives it.
   *
   * @example
   * ```ts
   * if (patient.draft) ctx.skipCache() // every waiting caller still gets it; nothing is stored
   * ```
   */
  skipCache(): void
  /**
   * Store this result with this TTL (a duration or a policy name) instead of the key's.
   *
   * @example
   * ```ts
   * if (patient === null) ctx.setTtl('30s') // cache "not found" for 30 s instead of the key's TTL
   * ```
   */
  setTtl(ttl: TtlSpec): void
}

/** A getOrSet loader: returns the value (or a promise of it); `undefined` is returned but never stored. */
export type Loader<T> = (ctx: LoaderContext) => T | Promise<T>

/**
 * Options of `cache.set()` and `cache.getOrSet()`. The resilience fields (grace, timeouts, early
 * refresh, lock) override the key's and the cache's for this call; `set()` uses only `grace`
 * (and writes the freshness that early refresh and stale-while-revalidate read).
 */
export interface WriteOptions extends ResilienceOptions {
  /**
   * This entry's TTL: a duration or a TTL policy name.
   *
   * @default the key's TTL, else the cache's default TTL
   * @example
   * ```ts
   * await cache.set(patientKey({ id: 42 }), patient, { ttl: '10m' })
   * await cache.getOrSet(statsKey(), () => db.dashboardStatistics(), { ttl: 'stats' })
   * ```
   */
  readonly ttl?: TtlSpec
  /**
   * Tags, added to those of the key definition, for `cache.invalidateTags()`.
   *
   * @default none
   * @example
   * ```ts
   * await cache.set(patientKey({ id: 42 }), patient, { tags: ['ej:1'] })
   * await cache.invalidateTags(['ej:1'])
   * ```
   */
  readonly tags?: readonly string[]
}

/** The {@link LoaderContext} of one loader run. */
export class LoadContext implements LoaderContext {
  skipped = false
  ttl: ParsedTtl | undefined
  skipCache(): void {
    this.skipped = true
  }
  setTtl(ttl: TtlSpec): void {
    this.ttl = parseTtlSpec(ttl)
  }
}

/**
 * Runs a loader, counting the run and its failure. A loader that throws synchronously rejects.
 *
 * @example
 * ```ts
 * const value = await runLoader(rt, loader, new LoadContext())
 * ```
 */
export async function runLoader(rt: CacheRuntime, loader: Loader<unknown>, context: LoadContext): Promise<unknown> {
  rt.stats.loaderCalls++
  try {
    return await loader(context)
  } catch (error) {
    rt.stats.loaderErrors++
    throw error
  }
}
