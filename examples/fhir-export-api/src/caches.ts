import { createCache, memoryDriver, type Cache, type CacheEnv, type CacheLogger, type Driver, type Duration, type StandardSchemaV1 } from '@cachette/core'
import { createFhirExportCache, type FhirExportCache } from '@cachette/fhir-export'
import type { Meter } from '@opentelemetry/api'
import { z } from 'zod'
import type { FhirBundle } from './fhir/bundle.js'

/**
 * What an export read from the store must look like to be served. The seed's Python service
 * writes these keys too: an entry that is not a Bundle is a miss (deleted, counted) and the export
 * is built again, instead of a 200 with whatever was there.
 */
const CachedBundleSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.string(),
  entry: z.array(z.looseObject({ resource: z.looseObject({ resourceType: z.string() }) })).optional(),
}) as unknown as StandardSchemaV1<unknown, FhirBundle>

/** The service's cache: one Cache over one driver, and seed 002's export cache on it. */
export interface ExportCaches {
  readonly driver: Driver
  /** `wire: 'plain'`, no prefix: the entries are the seed's `fhir:export:{type}:ej:{ejId}` JSON. */
  readonly cache: Cache
  readonly exports: FhirExportCache<FhirBundle>
  /** Closes the cache; the driver only if createExportCaches made it (no `driver` option). */
  close(): Promise<void>
}

/** Options of {@link createExportCaches}. */
export interface ExportCachesOptions {
  /** @default memoryDriver() */
  readonly driver?: Driver
  /** The meter `/metrics` reads (see metrics.ts). @default none (the global no-op meter) */
  readonly meter?: Meter
  /** Where absorbed store failures are reported (never a key or a value). @default console, rate-limited */
  readonly logger?: CacheLogger
  /** `CACHE_ENABLED`, `CACHE_TTL`, `CACHE_TTL_FHIR_<TYPE>`; `false` reads none (tests). @default process.env */
  readonly env?: CacheEnv | false
  /**
   * Conditional refresh: an export read within this long of its expiry is revalidated in the
   * background (the build compares versions and answers "not modified"). Below the venues TTL (5 min).
   * @default '1m'
   */
  readonly revalidateWindow?: Duration
}

/**
 * The export cache, as the seed's Python service can share it: `wire: 'plain'` and no prefix
 * (`createFhirExportCache` refuses anything else), a circuit breaker so a dead Redis is skipped at
 * once instead of costing every request its deadline, and conditional refresh.
 *
 * @example
 * ```ts
 * const caches = createExportCaches({ driver: ioredisDriverFromEnv(), meter: metrics.meter })
 * await caches.exports.getExport('venues', 1, build)
 * ```
 */
export function createExportCaches(options: ExportCachesOptions = {}): ExportCaches {
  const driver = options.driver ?? memoryDriver({ maxEntries: 10_000 })
  const env = options.env === undefined ? {} : { env: options.env }
  const cache = createCache({
    driver,
    wire: 'plain',
    circuitBreaker: true,
    ...env,
    ...(options.meter === undefined ? {} : { meter: options.meter }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  const exports = createFhirExportCache<FhirBundle>({ cache, schema: CachedBundleSchema, revalidate: { window: options.revalidateWindow ?? '1m' }, ...env })
  return {
    driver,
    cache,
    exports,
    close: () => cache.close({ driver: options.driver === undefined }),
  }
}
