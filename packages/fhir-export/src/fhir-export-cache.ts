import { InvalidKeyError, InvalidOptionsError, defineKey, isCacheError, type KeyPattern } from '@cachette/core'
import { cacheKit, type CacheKit } from '@cachette/core/kit'
import { ExportCounters } from './export-stats.js'
import { exportTtls } from './export-ttls.js'
import { FHIR_EXPORT_KEY_TEMPLATE, type ExportBuilder, type FhirExportCache, type FhirExportKey } from './fhir-export-api.js'
import { EXPORT_TYPE_PATTERN, refuse, resolveOptions, type EjId, type FhirExportCacheOptions } from './fhir-export-options.js'

/** Bucket bounds of `fhir.export.duration`, in seconds: a hit is ~15 ms, a build ~0.3 to 1 s (seed 002). */
const DURATION_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
// Label sets made once: recording a request allocates nothing of its own.
const HIT = Object.freeze({ cache: 'hit' })
const MISS = Object.freeze({ cache: 'miss' })
const GET = Object.freeze({ operation: 'get' })
const SET = Object.freeze({ operation: 'set' })
const RENEW = Object.freeze({ operation: 'renew' })
const DELETE = Object.freeze({ operation: 'delete' })

/**
 * Seed 002's FHIR export cache on a Cachette cache: exports per type and legal entity under the
 * seed's own key `fhir:export:{type}:ej:{ejId}`, in the plain JSON the seed's Python service reads
 * and writes; TTLs structure 1 h, patients 10 min, venues 5 min, `CACHE_TTL` for other types;
 * the seed's invalidation rules; `fhir.export.duration{cache="hit"|"miss"}` and a hit rate.
 *
 * @throws InvalidOptionsError for invalid options or environment variables, and (with `shared`,
 *   the default) for a cache whose entries the Python service could not read: not `wire: 'plain'`,
 *   a `prefix`, or the fence on.
 * @example
 * ```ts
 * const cache = createCache({ driver: ioredisDriver({ url: process.env.REDIS_URL! }), wire: 'plain' })
 * const exports = createFhirExportCache({ cache })
 * const bundle = await exports.getExport('venues', 1, () => buildVenuesBundle(1))
 * await exports.movementChanged() // after a movement's commit: every venues export goes
 * ```
 */
export function createFhirExportCache<T = unknown>(options: FhirExportCacheOptions<T>): FhirExportCache<T> {
  const resolved = resolveOptions(options as FhirExportCacheOptions<unknown>)
  const { cache } = options
  const revalidate = options.revalidate
  // Conditional refresh reads the entry's remaining TTL (PTTL): refused here for a driver without it,
  // rather than never refreshing.
  const kit = cacheKit(cache, { name: '@cachette/fhir-export', label: resolved.label, template: FHIR_EXPORT_KEY_TEMPLATE, requires: revalidate === undefined ? [] : ['inspection'] })
  if (resolved.shared) refuseUnshareable(kit)
  const ttls = exportTtls(resolved.ttls, resolved.defaultTtl, resolved.env)
  const key = exportKeyDefinition<T>(resolved.label, options)
  const duration = kit.histogram('fhir.export.duration', {
    description: 'Duration of a FHIR export request, served from the cache (cache="hit") or built (cache="miss")',
    unit: 's',
    boundaries: DURATION_BOUNDS,
  })
  const operations = kit.counter('fhir.export.cache.operations', { description: 'FHIR export cache operations, by kind (get, set, renew, delete)' })
  const counters = new ExportCounters()
  // Exports a build returned, to tell a request that waited on a build (a miss) from a hit: a hit
  // decodes the stored JSON into a new object, never one of these.
  const built = new WeakSet<object>()
  const runDeletes = async (deletes: readonly (() => Promise<number>)[]): Promise<number> => {
    counters.invalidations++
    operations.add(1, DELETE)
    let deleted = 0
    let failure: { readonly error: unknown } | undefined
    // One after the other, each tried even when one fails: a failed one waits in the cache's
    // invalidation queue, and stopping at the first failure would lose the next ones.
    for (const remove of deletes) {
      try {
        deleted += await remove()
      } catch (error) {
        failure ??= { error }
      }
    }
    counters.keysInvalidated += deleted
    if (failure !== undefined) {
      counters.invalidationFailures++
      throw failure.error
    }
    return deleted
  }
  const deletePatterns = (patterns: readonly KeyPattern[]) => runDeletes(patterns.map((pattern) => () => cache.deletePattern(pattern)))

  return Object.freeze({
    key,
    ttlMs: (type: string) => {
      checkType(type)
      return ttls.of(type)
    },
    async getExport(type: string, ejId: EjId, build: ExportBuilder<T>): Promise<T> {
      const started = performance.now()
      checkType(type)
      const exportKey = key({ type, ejId })
      if (typeof build !== 'function') throw new InvalidOptionsError('[@cachette/fhir-export] getExport: build must be a function')
      operations.add(1, GET)
      let builtHere = false
      const value = (await cache.getOrSet<T>(
        exportKey,
        async (ctx) => {
          const previous = ctx.previous
          // A revalidation runs after this request was served from the store: it stays a hit.
          if (previous === undefined) builtHere = true
          let skipped = false
          let unchanged: T | undefined
          let exported: T
          try {
            exported = await build({
              type,
              ejId,
              revalidating: previous !== undefined,
              previousVersion: previous?.validator,
              notModified: () => (unchanged = ctx.notModified()),
              skipCache: () => {
                skipped = true
                ctx.skipCache()
              },
            })
          } catch (error) {
            counters.buildErrors++
            throw error
          }
          if (unchanged !== undefined && exported === unchanged) {
            if (previous === undefined) {
              // Outside a revalidation there is nothing to keep: core rejects the request.
              counters.buildErrors++
            } else {
              counters.renewals++
              operations.add(1, RENEW)
            }
            return exported
          }
          counters.builds++
          if (typeof exported === 'object' && exported !== null) built.add(exported)
          // Handed to the cache to store (a failed write is counted by core, in cache_errors_total).
          if (!skipped && exported !== undefined && kit.enabled) operations.add(1, SET)
          return exported
        },
        { ttl: ttls.of(type) },
      )) as T
      const miss = builtHere || (typeof value === 'object' && value !== null && built.has(value))
      if (miss) counters.misses++
      else counters.hits++
      duration.record((performance.now() - started) / 1_000, miss ? MISS : HIT)
      return value
    },
    movementChanged: () => deletePatterns([key.pattern({ type: 'venues' })]),
    async structureChanged(ejId: EjId) {
      const structureKey = key({ type: 'structure', ejId })
      return runDeletes([() => cache.invalidate(structureKey)])
    },
    async fhirImported(ejIds: readonly EjId[] | 'all') {
      if (ejIds === 'all') return deletePatterns([key.pattern()])
      if (!Array.isArray(ejIds)) throw new InvalidOptionsError("[@cachette/fhir-export] fhirImported: expected an array of legal entity ids, or 'all'")
      // Every identifier is checked (the pattern built) before anything is deleted.
      const patterns = new Map<string, KeyPattern>()
      for (const ejId of ejIds) {
        const pattern = key.pattern({ ejId })
        patterns.set(pattern.glob, pattern)
      }
      return deletePatterns([...patterns.values()])
    },
    stats: () => counters.snapshot(),
  })
}

/**
 * The seed's key, with the schema and conditional refresh on the definition: core checks its
 * options once, here, and a bad `revalidate.window` fails the factory rather than every request.
 */
function exportKeyDefinition<T>(label: string, options: FhirExportCacheOptions<T>): FhirExportKey<T> {
  const { schema, revalidate } = options
  try {
    return defineKey(FHIR_EXPORT_KEY_TEMPLATE, {
      label,
      ...(schema === undefined ? {} : { schema }),
      ...(revalidate === undefined ? {} : { revalidate: { window: revalidate.window, validator: revalidate.versionOf ?? fhirVersionOf } }),
    }) as FhirExportKey<T>
  } catch (error) {
    return refuse([isCacheError(error) ? error.message.replace(/^\[@cachette\/core\] .*? options are invalid: /, '') : 'revalidate: invalid'], error)
  }
}

/**
 * The version of a stored FHIR resource (a Bundle): `meta.versionId`, else `meta.lastUpdated`.
 * What a build compares with the source's to answer "not modified".
 */
function fhirVersionOf(exported: unknown): string | undefined {
  const meta = (exported as { readonly meta?: { readonly versionId?: unknown; readonly lastUpdated?: unknown } } | null)?.meta
  if (typeof meta?.versionId === 'string') return meta.versionId
  return typeof meta?.lastUpdated === 'string' ? meta.lastUpdated : undefined
}

/** The type becomes a key segment and a variable name: the package's own rule on top of the key's. */
function checkType(type: string): void {
  if (typeof type !== 'string' || !EXPORT_TYPE_PATTERN.test(type)) {
    throw new InvalidKeyError(`[@cachette/fhir-export] key '${FHIR_EXPORT_KEY_TEMPLATE}': parameter 'type' must be 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter`)
  }
}

/** With `shared`, refuses a cache whose entries the seed's Python service would not find or not parse. */
function refuseUnshareable(kit: Pick<CacheKit, 'wire' | 'keyPrefix' | 'fence'>): void {
  const problems: string[] = []
  if (kit.wire !== 'plain') problems.push("the cache stores the Cachette envelope ('@c1…'), which json.loads cannot read: create it with wire: 'plain'")
  if (kit.keyPrefix !== '') problems.push('the cache has a prefix, so its keys are not the seed\'s fhir:export:…: create it without prefix')
  if (kit.fence.ttlMs !== undefined) problems.push("the cache's fence writes '@cf …' tombstones at the keys, which json.loads cannot read: create it without fence")
  if (problems.length > 0) refuse([`cache: shared: true (the default) needs entries the seed's Python service can read; ${problems.join('; ')}; or pass shared: false if no other service reads them`])
}
