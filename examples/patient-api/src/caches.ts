import { createCache, memoryDriver, type Cache, type CacheEnv, type CacheLogger, type Driver, type Duration } from '@cachette/core'
import {
  createDashboardStatsCache,
  createPatientCache,
  createProfessionalCache,
  type DashboardStatsCache,
  type PatientCache,
  type PatientStorage,
  type ProfessionalCache,
} from '@cachette/patient'
import type { Meter } from '@opentelemetry/api'
import { z } from 'zod'
import type { DashboardStatistics, Professional } from './db/directory-repository.js'

const ProfessionalSchema = z.object({
  id: z.number(),
  nom: z.string(),
  prenoms: z.string(),
  specialite: z.string(),
  etablissement_id: z.string(),
  actif: z.boolean(),
})

const DashboardSchema = z.object({
  patients_total: z.number(),
  patients_actifs: z.number(),
  patients_assures: z.number(),
  professionnels_total: z.number(),
  calcule_le: z.string(),
})

/** Every cache of the service, built over one driver. */
export interface AppCaches {
  readonly driver: Driver
  readonly cache: Cache
  readonly patients: PatientCache
  readonly professionals: ProfessionalCache<Professional>
  readonly dashboard: DashboardStatsCache<DashboardStatistics>
  /**
   * Closes the patient cache (last invalidation retries), then the cache. The driver is closed
   * only if createAppCaches made it (no `driver` option); a driver passed in is the caller's.
   */
  close(): Promise<void>
}

/** Options of {@link createAppCaches}. */
export interface AppCachesOptions {
  /** @default memoryDriver() */
  readonly driver?: Driver
  /** This service's establishment id (patient keys, lock value). */
  readonly etablissement: string
  /** One meter for the cache and the patient HASH metrics (see metrics.ts). @default none */
  readonly meter?: Meter
  /** @default 'hash' (seed 000's layout) */
  readonly storage?: PatientStorage
  /** Environment (`CACHE_ENABLED`, `CACHE_TTL_*`); `false` reads none. @default process.env */
  readonly env?: CacheEnv | false
  /**
   * HMAC key of the identity fingerprint (anti-duplicate lock keys and the `cle_doublon` column), so
   * that key names do not let anyone confirm a guessed person. Keep it stable (stored fingerprints
   * depend on it). @default none (plain SHA-256, as seed 000)
   */
  readonly lockSecret?: string
  /** Where both caches report absorbed failures (never a key, a code or a value). @default console, rate-limited */
  readonly logger?: CacheLogger
  /**
   * The fence against the cache-aside race between instances (a load that read the database before
   * another instance's commit must not write what it read): the cache's, which covers the patient
   * entries in both storages. `false` turns it off (tests show the race with it). @default { ttl: '1m' }
   */
  readonly fence?: false | { readonly ttl?: Duration }
}

/**
 * The service's caches: `identity:*` entries through the Cache (professionals, dashboard), and the
 * patient HASH at `soins_suite_<etablissement>_patient_cache:<code>` next to them.
 *
 * @example
 * ```ts
 * const caches = createAppCaches({ driver: ioredisDriverFromEnv(), etablissement, meter: metrics.meter, lockSecret: config.PATIENT_LOCK_SECRET })
 * ```
 */
export function createAppCaches(options: AppCachesOptions): AppCaches {
  const driver = options.driver ?? memoryDriver()
  const env = options.env ?? process.env
  // Left out when not given: core then reads process.env itself (its option check wants a plain object).
  const logger = options.logger === undefined ? {} : { logger: options.logger }
  const storage = options.storage ?? 'hash'
  const fence = options.fence === undefined ? {} : { fence: options.fence }
  const cache = createCache({ driver, prefix: 'identity', ...(options.env === undefined ? {} : { env: options.env }), ...(options.meter === undefined ? {} : { meter: options.meter }), ...logger, ...fence })
  // The patient cache runs on the cache: its driver, deadline, fence, invalidation queue, meter and logger.
  const patients = createPatientCache({
    cache,
    etablissement: options.etablissement,
    storage,
    env,
    ...(options.lockSecret === undefined ? {} : { duplicateLock: { secret: options.lockSecret } }),
  })
  return {
    driver,
    cache,
    patients,
    professionals: createProfessionalCache({ cache, schema: ProfessionalSchema, env }),
    dashboard: createDashboardStatsCache({ cache, schema: DashboardSchema, env }),
    async close() {
      await patients.close()
      await cache.close({ driver: options.driver === undefined })
    },
  }
}
