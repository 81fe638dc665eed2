import type { KeyDefinition } from '@cachette/core'
import type { FhirExportStats } from './export-stats.js'
import type { EjId, FhirExportType } from './fhir-export-options.js'

/**
 * The seed's key template: `fhir:export:{type}:ej:{ejId}`.
 *
 * @example
 * ```ts
 * defineKey(FHIR_EXPORT_KEY_TEMPLATE)({ type: 'venues', ejId: 1 }).key // 'fhir:export:venues:ej:1'
 * ```
 */
export const FHIR_EXPORT_KEY_TEMPLATE = 'fhir:export:{type}:ej:{ejId}'

/** The key definition of the exports (for `cache.get`, or a pattern of your own). */
export type FhirExportKey<T> = KeyDefinition<typeof FHIR_EXPORT_KEY_TEMPLATE, T>

/** What a build receives. */
export interface ExportBuildContext<T> {
  /** The export type asked for. */
  readonly type: string
  /** The legal entity asked for. */
  readonly ejId: EjId
  /**
   * True when the build runs in the background to revalidate a cached export close to its expiry
   * (conditional refresh, the `revalidate` option); false on a miss.
   */
  readonly revalidating: boolean
  /**
   * The version of the cached export this build would replace (its `meta.versionId`, else
   * `meta.lastUpdated`, or what `revalidate.versionOf` says) while `revalidating`; undefined on a
   * miss, or when the cached export carries no version. Compare it with the source's current
   * version (FHIR `meta.versionId`, `meta.lastUpdated`, an ETag) and answer {@link notModified}
   * when they are the same.
   */
  readonly previousVersion: string | undefined
  /**
   * The source did not change since the cached export was built: return this instead of an
   * export, and the cached export's TTL is renewed (one PEXPIRE) without rebuilding or rewriting
   * it. Only while `revalidating`: on a miss there is nothing to keep, and the requests waiting on
   * the build reject with an InvalidOptionsError.
   *
   * @example
   * ```ts
   * await exports.getExport('venues', ejId, async ({ previousVersion, notModified }) => {
   *   const version = await db.venuesVersion(ejId) // e.g. max(updated_at) of the movements
   *   return version === previousVersion ? notModified() : buildVenues(ejId, version)
   * })
   * ```
   */
  notModified(): T
  /**
   * Do not store this export (a partial one, say). The request still gets it.
   *
   * @example
   * ```ts
   * await exports.getExport('patients', ejId, async ({ skipCache }) => {
   *   const bundle = await buildPatients(ejId)
   *   if (bundle.total === 0) skipCache()
   *   return bundle
   * })
   * ```
   */
  skipCache(): void
}

/** Builds an export from the source (the database), when the cache has none to serve. */
export type ExportBuilder<T> = (context: ExportBuildContext<T>) => T | Promise<T>

/**
 * Seed 002's FHIR export cache: exports under `fhir:export:{type}:ej:{ejId}` with per-type TTLs,
 * the seed's invalidation rules, `fhir.export.duration` and a hit rate.
 */
export interface FhirExportCache<T = unknown> {
  /** The key definition (`fhir:export:{type}:ej:{ejId}`). */
  readonly key: FhirExportKey<T>
  /**
   * The TTL of a type's exports, in ms.
   *
   * @example
   * ```ts
   * exports.ttlMs('venues') // 300000 (5 min), or CACHE_TTL_FHIR_VENUES × 1000
   * ```
   */
  ttlMs(type: FhirExportType): number
  /**
   * The cached export of `type` for legal entity `ejId`, else `build`'s, stored for the type's
   * TTL (cache-aside). One build per key per process however many requests wait (they share
   * it). A store that is down or slow never fails the request: the export is built and served,
   * the failure counted (`cache.stats().errors`, `cache_errors_total`). A build that throws
   * rejects every waiting request and is never cached.
   *
   * @throws InvalidKeyError (rejects) when `type` or `ejId` could widen a key or a pattern (`*`, `:`, whitespace...).
   * @example
   * ```ts
   * const bundle = await exports.getExport('venues', 1, () => buildVenuesBundle(1))
   * ```
   */
  getExport(type: FhirExportType, ejId: EjId, build: ExportBuilder<T>): Promise<T>
  /**
   * A movement was created, changed or deleted: deletes every venues export, of every legal
   * entity (`fhir:export:venues:ej:*`). Call it after the database commit. Resolves how many
   * exports went.
   *
   * When the store cannot be reached, the pattern waits in the cache's invalidation queue
   * (retried; venues exports read as misses meanwhile), and the call rejects with the store's
   * error, or resolves 0 with `createCache({ invalidationQueue: { whenQueued: 'resolve' } })`.
   * It rejects too when it could not be queued (`invalidationQueue: false`, queue full, closed).
   *
   * @example
   * ```ts
   * await db.transaction((tx) => tx.insertMovement(movement))
   * await exports.movementChanged()
   * ```
   */
  movementChanged(): Promise<number>
  /**
   * A legal entity's structure changed: deletes its structure export (`fhir:export:structure:ej:{ejId}`).
   * Resolves how many exports went (0 or 1); a store failure as in {@link movementChanged}.
   *
   * @throws InvalidKeyError (rejects) for an `ejId` that could widen the pattern.
   * @example
   * ```ts
   * await exports.structureChanged(1)
   * ```
   */
  structureChanged(ejId: EjId): Promise<number>
  /**
   * A FHIR import touched these legal entities: deletes every export of each
   * (`fhir:export:*:ej:{ejId}`), or of all of them with `'all'` (when the import does not say
   * which). Every identifier is checked before anything is deleted; every pattern is tried even
   * when one fails. Resolves how many exports went; a store failure as in {@link movementChanged}.
   *
   * @throws InvalidKeyError (rejects) for an `ejId` that could widen a pattern; InvalidOptionsError
   *   (rejects) when `ejIds` is neither an array nor `'all'`.
   * @example
   * ```ts
   * await exports.fhirImported([1, 2])
   * await exports.fhirImported('all')
   * ```
   */
  fhirImported(ejIds: readonly EjId[] | 'all'): Promise<number>
  /**
   * This cache's counters: requests, hits, misses, hit rate, builds, renewals, invalidations.
   *
   * @example
   * ```ts
   * app.get('/api/cache/stats', () => ({ ...exports.stats(), hit_rate: exports.stats().hitRate * 100 }))
   * ```
   */
  stats(): FhirExportStats
}
