import { requireCapabilities, type DriverCapability, type Key } from '@cachette/core'
import { cacheKit, type CacheKit } from '@cachette/core/kit'
import { acquireDuplicateLock } from './duplicate-lock.js'
import { decodePatientHash, encodePatientHash } from './hash-codec.js'
import { identityFingerprint } from './identity.js'
import type { AfterCommitHook, InvalidationOutcome, PatientCache, PatientLoader } from './patient-cache-api.js'
import { resolvePatientOptions, type PatientCacheOptions, type ResolvedPatientOptions } from './patient-options.js'
import { patientKeyBuilder, patientSubjectBuilder } from './patient-keys.js'
import { PatientSchema, type Patient, type PatientInput } from './patient-schema.js'
import { PatientStatsCounters } from './patient-stats.js'
import { hashStore } from './hash-store.js'
import { jsonStore } from './json-store.js'
import type { LoadedRecord, PatientStore } from './patient-store.js'
import { searchPatients } from './search.js'

const PACKAGE = '@cachette/patient'

/**
 * The kit of the cache, checked for what this configuration needs (MissingCapabilityError naming
 * each missing group): HASH commands and MULTI in 'hash' storage; compare-and-delete for the lock
 * release and for the fence of 'hash' storage (a load's write removes exactly its token); SETs
 * for the data-subject index of every entry (erasure: `cache.forget`, `patients.forget`).
 */
function openKits(config: ResolvedPatientOptions): { kit: CacheKit; hashKit: CacheKit<'hashes' | 'batch'> | undefined } {
  const kitOptions = { name: PACKAGE, label: config.label, template: config.keyTemplate }
  const kit = cacheKit(config.cache, kitOptions)
  const hash = config.storage === 'hash'
  // Sets: every patient entry is indexed under its data subject (cache.forget, patients.forget).
  const needs: DriverCapability[] = hash ? ['hashes', 'batch', 'sets'] : ['sets']
  if (!config.keepLockAfterCreate || (hash && kit.fence.ttlMs !== undefined)) needs.push('compareAndDelete')
  requireCapabilities(kit.driver, needs, PACKAGE)
  return { kit, hashKit: config.storage === 'hash' ? cacheKit(config.cache, { ...kitOptions, requires: ['hashes', 'batch'] }) : undefined }
}

/**
 * Creates the patient cache of seeds 000 and 001 over a Cache: its driver, deadline, circuit
 * breaker, fence, invalidation queue, metrics and logger serve the patient entries too.
 *
 * @throws InvalidOptionsError listing every invalid option; MissingCapabilityError when the cache's driver lacks what the storage needs.
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { ioredisDriver } from '@cachette/ioredis'
 * import { createPatientCache } from '@cachette/patient'
 *
 * const cache = createCache({ driver: ioredisDriver({ url: 'redis://redis.internal:6379' }), prefix: 'identity' })
 * const patients = createPatientCache({ cache, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
 * const patient = await patients.getByCode('CI-20250108-00001', (code) => db.loadPatient(code))
 * ```
 */
export function createPatientCache(options: PatientCacheOptions): PatientCache {
  const config = resolvePatientOptions(options)
  const { kit, hashKit } = openKits(config)
  const counters = new PatientStatsCounters()
  const keyFor = patientKeyBuilder(config)
  const subjectFor = patientSubjectBuilder(config)
  const store: PatientStore = hashKit !== undefined ? hashStore(config, hashKit, counters, subjectFor) : jsonStore(config, kit, counters, subjectFor)
  const flights = kit.flights<Patient | undefined>()
  /** Whether an invalidation of this key waits in the cache's queue: its entry may be stale. */
  const pending = (key: Key<Patient>): boolean => kit.pending(store.storeKey(key))
  const enabled = (): boolean => config.cache.enabled

  /**
   * The loader's record, validated and shaped as a later hit will return it (in 'hash' storage,
   * timestamps to the second), so that a miss and a hit answer the same. An invalid record is
   * returned as is, uncached and counted.
   */
  function accept(record: PatientInput): { patient: Patient; valid: boolean } {
    const parsed = PatientSchema.safeParse(record)
    if (parsed.success) return { patient: config.storage === 'hash' ? (decodePatientHash(encodePatientHash(parsed.data)) ?? parsed.data) : parsed.data, valid: true }
    counters.invalidRecords++
    kit.warn('a loaded patient record does not match PatientSchema; returned without caching', 'set', 'DECODE_FAILED')
    return { patient: record as unknown as Patient, valid: false }
  }

  async function write(key: Key<Patient>, patient: Patient): Promise<boolean> {
    // While an invalidation of this key waits for retry, the store may hold a stale entry: leave it to the retry.
    if (pending(key)) return false
    const written = await store.write(key, patient)
    if (written) counters.warms++
    return written
  }

  /**
   * Writes a record under its own code. A code the key mode refuses is reported, not thrown: the
   * record is already committed in the database, and caching it is only an optimization.
   */
  async function writeRecord(patient: Patient): Promise<boolean> {
    let key: Key<Patient>
    try {
      key = keyFor(patient.code_patient)
    } catch {
      kit.warn('a patient record has a code_patient the key template refuses; not cached', 'set', 'INVALID_KEY')
      return false
    }
    return write(key, patient)
  }

  async function read(key: Key<Patient>, code: string): Promise<Patient | undefined> {
    const cached = pending(key) ? undefined : await store.read(key, code)
    if (cached === undefined) counters.misses++
    else counters.hits++
    return cached
  }

  function loadThrough(key: Key<Patient>, code: string, load: PatientLoader): Promise<Patient | undefined> {
    return flights.run(key.key, async (flight) => {
      /** The loader's record, checked; cacheable unless an invalidation in this process (or one waiting for retry) came meanwhile. */
      const loadRecord = async (): Promise<LoadedRecord> => {
        counters.loads++
        const record = await load(code)
        if (record === null || record === undefined) return { patient: undefined, cacheable: false }
        const { patient, valid } = accept(record)
        if (!valid) return { patient, cacheable: false }
        // A record of another code stored under this one would be refused by every read (and
        // deleted): returned to the caller, not cached.
        if (patient.code_patient !== code) {
          counters.invalidRecords++
          kit.warn('a loaded patient record has another code_patient than the one asked for; returned without caching', 'set', 'DECODE_FAILED')
          return { patient, cacheable: false }
        }
        return { patient, cacheable: !flight.abandoned && !pending(key) }
      }
      // While an invalidation of this key waits for retry, the store may hold a stale entry: not
      // read, and nothing written (the retry will remove it).
      if (pending(key)) {
        counters.misses++
        return (await loadRecord()).patient
      }
      const { patient, hit, written } = await store.readThrough(key, code, loadRecord)
      if (hit) counters.hits++
      else counters.misses++
      if (written) counters.warms++
      return patient
    })
  }

  async function invalidateKey(key: Key<Patient>): Promise<'invalidated' | 'queued'> {
    // Loads in progress may hold data read before the commit: they must not store it, and later
    // callers must start a new load.
    flights.abandon(key.key)
    const outcome = await kit.invalidate([store.storeKey(key)])
    if (outcome === 'invalidated') counters.invalidations++
    else counters.invalidationsQueued++
    return outcome
  }

  async function invalidateKeys(keys: readonly Key<Patient>[]): Promise<InvalidationOutcome> {
    if (!enabled()) return 'disabled'
    const outcomes = await Promise.all(keys.map(invalidateKey))
    return outcomes.includes('queued') ? 'queued' : 'invalidated'
  }

  const keysOf = (codes: string | readonly string[]): Key<Patient>[] => (typeof codes === 'string' ? [keyFor(codes)] : codes.map(keyFor))

  let closing: Promise<void> | undefined

  const patients: PatientCache = {
    storage: config.storage,
    ttlMs: config.ttlMs,
    keyOf: (code) => keyFor(code).key,
    async getByCode(code, load) {
      const key = keyFor(code)
      if (!enabled()) {
        counters.loads++
        const record = await load(code)
        return record === null || record === undefined ? undefined : accept(record).patient
      }
      return loadThrough(key, code, load)
    },
    async get(code) {
      const key = keyFor(code)
      return enabled() ? read(key, code) : undefined
    },
    async warm(record) {
      if (!enabled()) return false
      const { patient, valid } = accept(record)
      return valid ? writeRecord(patient) : false
    },
    invalidate: async (codes) => invalidateKeys(keysOf(codes)),
    subjectOf: (code) => {
      // The key check first: the same InvalidKeyError (never quoting the code) as keyOf.
      keyFor(code)
      return subjectFor(code)
    },
    async forget(codes) {
      const keys = keysOf(codes)
      const subjects = (typeof codes === 'string' ? [codes] : codes).map(subjectFor)
      if (!enabled()) return 0
      // Loads in progress in this process must not store what they read.
      for (const key of keys) flights.abandon(key.key)
      const forgotten = await config.cache.forget(subjects)
      // The patient keys themselves too: an entry written before it was indexed (an older version
      // of this package, another service such as the seed's Go writer) is not in the index.
      await kit.invalidate(keys.map((key) => store.storeKey(key)))
      return forgotten
    },
    invalidateAfterCommit: ((codes: string | readonly string[], transaction: (() => Promise<unknown>) | AfterCommitHook) => {
      if (typeof transaction === 'function') {
        return (async () => {
          const keys = keysOf(codes)
          const result = await transaction()
          await invalidateKeys(keys)
          return result
        })()
      }
      const keys = keysOf(codes)
      transaction.afterCommit(() => invalidateKeys(keys))
      return undefined
    }) as PatientCache['invalidateAfterCommit'],
    async createWithLock(identity, create) {
      if (!enabled()) return accept(await create()).patient
      const lock = await acquireDuplicateLock(config, kit, counters, identity)
      try {
        const { patient, valid } = accept(await create())
        if (valid) await writeRecord(patient)
        return patient
      } finally {
        await lock.release()
      }
    },
    identityFingerprint: (identity) => identityFingerprint(identity, config.lockSecret),
    search(term, source, searchOptions) {
      return searchPatients(
        term,
        (criteria) => {
          counters.searches++
          return source(criteria)
        },
        searchOptions,
      )
    },
    retryPendingInvalidations: () => kit.retryPending(),
    stats: () => counters.snapshot(kit.stats().invalidationsPending),
    close() {
      closing ??= kit.retryPending().then(() => undefined)
      return closing
    },
  }
  return Object.freeze(patients)
}
