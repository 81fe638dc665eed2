import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { ResilienceOptions } from '../options/resilience-options.js'
import { parseTtlSpec, type ParsedTtl, type TtlSpec } from '../options/ttl.js'
import { InvalidOptionsError } from '../errors.js'

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
export interface LoaderContext<T = unknown> {
  /**
   * During a revalidation (the `revalidate` option): the entry's current value and its validator.
   * Undefined on a miss: there is nothing to compare, build the value.
   *
   * @example
   * ```ts
   * if (ctx.previous?.validator === (await db.venuesVersion(ejId))) return ctx.notModified()
   * ```
   */
  readonly previous: { readonly value: T; readonly validator: string | undefined } | undefined
  /**
   * Answers "not modified" during a revalidation: the entry stays as it is and its TTL is renewed
   * (no rebuild, no rewrite); the callers waiting on this load get `ctx.previous.value`. Return
   * what it returns. Outside a revalidation (`ctx.previous` undefined) the load fails with an
   * InvalidOptionsError.
   *
   * @example
   * ```ts
   * if (ctx.previous?.validator === etag) return ctx.notModified()
   * ```
   */
  notModified(): T
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
export type Loader<T> = (ctx: LoaderContext<T>) => T | Promise<T>

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
  /**
   * The data subjects this entry belongs to (`'patient:42'`), added to those of the key
   * definition, for `cache.forget()` (erasure by data subject). Checked like tags, at most 16;
   * hashed before they reach a store key name, never written on the bus. The driver needs the
   * `sets` capability. Allowed with `wire: 'plain'` (the index is kept apart from the value).
   *
   * @default none
   * @example
   * ```ts
   * await cache.set(appointmentKey({ id: 7 }), appointment, { subjects: ['patient:42', 'professional:9'] })
   * await cache.forget('patient:42') // removes it, in every tier and process
   * ```
   */
  readonly subjects?: readonly string[]
}

/** What `ctx.notModified()` returns: the load keeps the previous value and renews its TTL. */
export const NOT_MODIFIED: unique symbol = Symbol('cachette.not-modified')

/** The {@link LoaderContext} of one loader run. */
export class LoadContext implements LoaderContext<unknown> {
  skipped = false
  ttl: ParsedTtl | undefined

  constructor(readonly previous: { readonly value: unknown; readonly validator: string | undefined } | undefined = undefined) {}

  notModified(): unknown {
    return NOT_MODIFIED
  }

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
  let value: unknown
  try {
    value = await loader(context)
  } catch (error) {
    rt.stats.loaderErrors++
    throw error
  }
  if (value === NOT_MODIFIED && context.previous === undefined) {
    rt.stats.loaderErrors++
    throw new InvalidOptionsError('[@cachette/core] ctx.notModified() outside a revalidation: there is no previous value (ctx.previous is undefined); return the value')
  }
  return value
}
