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
  /** The record under `key`, which must be the one of `code`: an entry naming another patient is corrupted (a miss, deleted). */
  read(key: Key<Patient>, code: string): Promise<Patient | undefined>
  write(key: Key<Patient>, patient: Patient): Promise<boolean>
  remove(key: Key<Patient>): Promise<void>
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  // No Object.keys(): no array allocated on the hit path.
  for (const _ in record) return false
  return true
}

/** Why an entry was discarded: undecodable, not a HASH, or a record of another patient than its key's. */
type CorruptionReason = 'DECODE_FAILED' | 'WRONG_TYPE' | 'KEY_MISMATCH'

// Messages name the problem, never the key, the codes or a value.
const CORRUPTION_MESSAGES: Readonly<Record<CorruptionReason, string>> = {
  DECODE_FAILED: 'a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss',
  WRONG_TYPE: 'a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss',
  KEY_MISMATCH: "a patient entry holds another patient's record than its key names; it was deleted and read as a miss",
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

  function corrupted(key: string, reason: CorruptionReason): undefined {
    stats.decodeFailures++
    metrics.error('get', reason)
    warn(options, CORRUPTION_MESSAGES[reason], 'get', reason === 'WRONG_TYPE' ? 'WRONG_TYPE' : 'DECODE_FAILED')
    // Deleted in the background: the caller already falls back to the database.
    call('invalidate', () => driver.delete([key])).catch((error: unknown) => failed('invalidate', error))
    return undefined
  }

  return {
    async read(key, code) {
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
      // A well-formed hash naming another patient (a bug or a hostile writer of the shared store)
      // must not be served as this code's record.
      if (patient.code_patient !== code) {
        metrics.miss()
        return corrupted(key.key, 'KEY_MISMATCH')
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

/**
 * One Cachette entry through the cache (its prefix, envelope, codec, deadline, stats and metrics).
 * The cache decodes and validates; the code check (an entry of another patient) is made here.
 */
export function jsonStore(options: ResolvedPatientOptions, stats: PatientStatsCounters): PatientStore {
  const { cache, ttlMs } = options
  return {
    async read(key, code) {
      const patient = await cache.get(key)
      if (patient === undefined || patient.code_patient === code) return patient
      stats.decodeFailures++
      warn(options, CORRUPTION_MESSAGES.KEY_MISMATCH, 'get', 'DECODE_FAILED')
      // Deleted in the background (the cache absorbs and counts a store failure).
      cache.invalidate(key).catch(() => undefined)
      return undefined
    },
    write: (key, patient) => cache.set(key, patient, { ttl: ttlMs }),
    async remove(key) {
      await cache.invalidate(key)
    },
  }
}
