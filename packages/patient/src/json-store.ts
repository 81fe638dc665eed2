import type { Key } from '@cachette/core'
import type { CacheKit } from '@cachette/core/kit'
import type { ResolvedPatientOptions } from './patient-options.js'
import type { Patient } from './patient-schema.js'
import type { PatientStatsCounters } from './patient-stats.js'
import type { PatientSubjectBuilder } from './patient-keys.js'
import { CORRUPTION_MESSAGES, type LoadedRecord, type PatientStore, type ReadThrough } from './patient-store.js'

/**
 * One Cachette entry through the cache (its prefix, envelope, codec, deadline, stats, metrics and
 * fence). The cache decodes and validates; the code check (an entry of another patient) is made
 * here. Loads go through `cache.getOrSet`, so the cache's fence applies: a load that started before
 * an invalidation, in any process, does not write.
 */
export function jsonStore(options: ResolvedPatientOptions, kit: CacheKit, stats: PatientStatsCounters, subjectOf: PatientSubjectBuilder): PatientStore {
  const { cache, ttlMs } = options
  /** Every entry names its patient's data subject: `cache.forget(subject)` removes it. */
  const writeOptions = (code: string) => ({ ttl: ttlMs, subjects: [subjectOf(code)] })

  /** An entry naming another patient than its key's: counted, logged without values, removed. */
  async function mismatched(key: Key<Patient>): Promise<void> {
    stats.decodeFailures++
    kit.corrupted(CORRUPTION_MESSAGES.KEY_MISMATCH, 'DECODE_FAILED', 'KEY_MISMATCH')
    // The cache absorbs and counts a store failure, or queues the invalidation.
    await cache.invalidate(key).catch(() => undefined)
  }

  /** One getOrSet: the cached record (a hit), or the load's when this call's loader ran. */
  async function getOrLoad(key: Key<Patient>, code: string, load: () => Promise<LoadedRecord>): Promise<ReadThrough> {
    let loaded: LoadedRecord | undefined
    const value = await cache.getOrSet<Patient, Patient | undefined>(
      key,
      async (ctx) => {
        loaded = await load()
        if (!loaded.cacheable) ctx.skipCache()
        return loaded.patient
      },
      writeOptions(code),
    )
    if (loaded !== undefined) return { patient: loaded.patient, hit: false, written: loaded.cacheable && loaded.patient !== undefined }
    return { patient: value, hit: value !== undefined, written: false }
  }

  return {
    async read(key, code) {
      const patient = await cache.get(key)
      if (patient === undefined || patient.code_patient === code) return patient
      // Deleted in the background.
      void mismatched(key)
      return undefined
    },
    async readThrough(key, code, load) {
      const first = await getOrLoad(key, code, load)
      if (!first.hit || first.patient?.code_patient === code) return first
      // Replaced by a tombstone: the second getOrSet misses and loads.
      await mismatched(key)
      const second = await getOrLoad(key, code, load)
      if (!second.hit || second.patient?.code_patient === code) return second
      // Another patient's record again (a writer that keeps putting it back): the database's, not cached.
      await mismatched(key)
      return { patient: (await load()).patient, hit: false, written: false }
    },
    write: (key, patient) => cache.set(key, patient, writeOptions(patient.code_patient)),
    storeKey: (key) => kit.storeKey(key),
  }
}
