import { isCacheError, type CacheErrorCode, type Key } from '@cachette/core'
import { warn } from './log.js'
import { decodePatientHash, encodePatientHash } from './hash-codec.js'
import { withDeadline } from './deadline.js'
import { PatientMetrics, type PatientStoreOperation } from './metrics.js'
import type { ResolvedPatientOptions } from './patient-options.js'
import type { Patient } from './patient-schema.js'
import type { PatientStatsCounters } from './patient-stats.js'

/** Where patient records live. Reads and writes never throw (a failure is a miss / `false`); removes reject so a lost invalidation can be retried. */
export interface PatientStore {
  read(key: Key<Patient>): Promise<Patient | undefined>
  write(key: Key<Patient>, patient: Patient): Promise<boolean>
  remove(key: Key<Patient>): Promise<void>
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  // No Object.keys(): no array allocated on the hit path.
  for (const _ in record) return false
  return true
}

function codeOf(error: unknown): CacheErrorCode {
  return isCacheError(error) ? error.code : 'DRIVER_FAILURE'
}

/**
 * Seed 000's HASH, at exactly the key the template gives. The write is one MULTI: DEL (so a field
 * that became null does not survive from an older version), HSET, PEXPIRE; the seed's HMSET then
 * EXPIRE could leave a hash without TTL if the process died in between.
 */
export function hashStore(options: ResolvedPatientOptions, stats: PatientStatsCounters): PatientStore {
  const { driver, deadlines, ttlMs } = options
  const metrics = new PatientMetrics(options.meter, options.label)

  async function call<T>(operation: PatientStoreOperation, start: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await withDeadline(deadlines, `patient ${operation}`, start)
    } finally {
      metrics.latencyMs(operation, performance.now() - started)
    }
  }

  function failed(operation: PatientStoreOperation, error: unknown): void {
    stats.errors++
    metrics.error(operation, codeOf(error))
    warn(options, `patient cache ${operation} failed`, operation, codeOf(error), error)
  }

  function corrupted(key: string, reason: 'DECODE_FAILED' | 'WRONG_TYPE'): undefined {
    stats.decodeFailures++
    metrics.error('get', reason)
    warn(options, 'a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss', 'get', reason === 'WRONG_TYPE' ? 'WRONG_TYPE' : 'DECODE_FAILED')
    // Deleted in the background: the caller already falls back to the database.
    call('invalidate', () => driver.delete([key])).catch((error: unknown) => failed('invalidate', error))
    return undefined
  }

  return {
    async read(key) {
      let fields: Record<string, string>
      try {
        fields = await call('get', () => driver.hgetall(key.key))
      } catch (error) {
        // A key of another type under our name (a plain string) is corrupted data, not an outage.
        if (isCacheError(error) && error.code === 'WRONG_TYPE') {
          metrics.miss()
          return corrupted(key.key, 'WRONG_TYPE')
        }
        failed('get', error)
        metrics.miss()
        return undefined
      }
      // HGETALL on a missing key is {}: a plain miss.
      if (isEmpty(fields)) {
        metrics.miss()
        return undefined
      }
      const patient = decodePatientHash(fields)
      if (patient === undefined) {
        metrics.miss()
        return corrupted(key.key, 'DECODE_FAILED')
      }
      metrics.hit()
      return patient
    },
    async write(key, patient) {
      try {
        await call('set', () =>
          driver.batch([
            { op: 'delete', keys: [key.key] },
            { op: 'hset', key: key.key, fields: encodePatientHash(patient) },
            { op: 'pexpire', key: key.key, ttlMs },
          ]),
        )
        return true
      } catch (error) {
        failed('set', error)
        return false
      }
    },
    async remove(key) {
      try {
        await call('invalidate', () => driver.delete([key.key]))
      } catch (error) {
        failed('invalidate', error)
        throw error
      }
    },
  }
}

/** One Cachette entry through the cache (its prefix, envelope, codec, deadline, stats and metrics). */
export function jsonStore(options: ResolvedPatientOptions): PatientStore {
  const { cache, ttlMs } = options
  return {
    read: (key) => cache.get(key),
    write: (key, patient) => cache.set(key, patient, { ttl: ttlMs }),
    async remove(key) {
      await cache.invalidate(key)
    },
  }
}
