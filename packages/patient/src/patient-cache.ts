import { MissingCapabilityError, type Key } from '@cachette/core'
import { acquireDuplicateLock } from './duplicate-lock.js'
import { decodePatientHash, encodePatientHash } from './hash-codec.js'
import { identityFingerprint } from './identity.js'
import { InvalidationQueue } from './invalidation-queue.js'
import type { AfterCommitHook, InvalidationOutcome, PatientCache, PatientLoader } from './patient-cache-api.js'
import { resolvePatientOptions, type PatientCacheOptions, type ResolvedPatientOptions } from './patient-options.js'
import { patientKeyBuilder } from './patient-keys.js'
import { PatientSchema, type Patient, type PatientInput } from './patient-schema.js'
import { PatientStatsCounters } from './patient-stats.js'
import { warn } from './log.js'
import { hashStore } from './hash-store.js'
import { jsonStore } from './json-store.js'
import type { LoadedRecord, PatientStore } from './patient-store.js'
import { searchPatients } from './search.js'

interface Flight {
  readonly promise: Promise<Patient | undefined>
  /** Set by an invalidation while the loader runs: its (possibly pre-commit) result must not be stored. */
  skipWrite: boolean
}

function requireCapabilities(options: ResolvedPatientOptions): void {
  const { capabilities, name } = options.driver
  const missing: string[] = []
  if (options.storage === 'hash' && capabilities?.hashes !== true) missing.push('hashes')
  if (options.storage === 'hash' && capabilities?.batch !== true) missing.push('batch')
  // The lock release, and the fence of 'hash' storage (a load's write removes exactly its token).
  const fenced = options.storage === 'hash' && options.fenceMs !== undefined
  if ((!options.keepLockAfterCreate || fenced) && capabilities?.compareAndDelete !== true) missing.push('compareAndDelete')
  if (missing.length > 0) throw new MissingCapabilityError('@cachette/patient', name, missing)
}

/**
 * Creates the patient cache of seeds 000 and 001 over a Cache and its driver.
 *
 * @throws InvalidOptionsError listing every invalid option; MissingCapabilityError when the driver lacks what the storage needs.
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { ioredisDriver } from '@cachette/ioredis'
 * import { createPatientCache } from '@cachette/patient'
 *
 * const driver = ioredisDriver({ url: process.env.REDIS_URL })
 * const cache = createCache({ driver, prefix: 'identity' })
 * const patients = createPatientCache({ cache, driver, etablissement: '880e8400-e29b-41d4-a716-446655440004' })
 * const patient = await patients.getByCode('CI-20250108-00001', (code) => db.loadPatient(code))
 * ```
 */
export function createPatientCache(options: PatientCacheOptions): PatientCache {
  const config = resolvePatientOptions(options)
  requireCapabilities(config)
  const counters = new PatientStatsCounters()
  const store: PatientStore = config.storage === 'hash' ? hashStore(config, counters) : jsonStore(config, counters)
  const keyFor = patientKeyBuilder(config)
  const flights = new Map<string, Flight>()
  const queue = new InvalidationQueue(
    {
      initialDelayMs: config.retryInitialDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      maxPending: config.retryMaxPending,
      expireAfterMs: config.ttlMs,
      warn: (message, error) => warn(config, message, 'invalidate', 'DRIVER_FAILURE', error),
    },
    counters,
  )
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
    warn(config, 'a loaded patient record does not match PatientSchema; returned without caching', 'set', 'DECODE_FAILED')
    return { patient: record as unknown as Patient, valid: false }
  }

  async function write(key: Key<Patient>, patient: Patient): Promise<boolean> {
    // While an invalidation of this key waits for retry, the store may hold a stale entry: leave it to the retry.
    if (queue.has(key.key)) return false
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
      warn(config, 'a patient record has a code_patient the key template refuses; not cached', 'set', 'INVALID_KEY')
      return false
    }
    return write(key, patient)
  }

  async function read(key: Key<Patient>, code: string): Promise<Patient | undefined> {
    const cached = queue.has(key.key) ? undefined : await store.read(key, code)
    if (cached === undefined) counters.misses++
    else counters.hits++
    return cached
  }

  function loadThrough(key: Key<Patient>, code: string, load: PatientLoader): Promise<Patient | undefined> {
    const flight: Flight = { skipWrite: false, promise: undefined as unknown as Promise<Patient | undefined> }
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
        warn(config, 'a loaded patient record has another code_patient than the one asked for; returned without caching', 'set', 'DECODE_FAILED')
        return { patient, cacheable: false }
      }
      return { patient, cacheable: !flight.skipWrite && !queue.has(key.key) }
    }
    const run = async (): Promise<Patient | undefined> => {
      try {
        // While an invalidation of this key waits for retry, the store may hold a stale entry: not
        // read, and nothing written (the retry will remove it).
        if (queue.has(key.key)) {
          counters.misses++
          return (await loadRecord()).patient
        }
        const { patient, hit, written } = await store.readThrough(key, code, loadRecord)
        if (hit) counters.hits++
        else counters.misses++
        if (written) counters.warms++
        return patient
      } finally {
        if (flights.get(key.key) === flight) flights.delete(key.key)
      }
    }
    ;(flight as { promise: Promise<Patient | undefined> }).promise = run()
    flights.set(key.key, flight)
    return flight.promise
  }

  async function invalidateKey(key: Key<Patient>): Promise<'invalidated' | 'queued'> {
    // Loads in progress may hold data read before the commit: they must not store it, and later
    // callers must start a new load.
    const flight = flights.get(key.key)
    if (flight !== undefined) {
      flight.skipWrite = true
      flights.delete(key.key)
    }
    try {
      await store.remove(key)
      counters.invalidations++
      return 'invalidated'
    } catch {
      queue.enqueue(key.key, () => store.remove(key))
      return 'queued'
    }
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
      return flights.get(key.key)?.promise ?? loadThrough(key, code, load)
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
      const lock = await acquireDuplicateLock(config, counters, identity)
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
    retryPendingInvalidations: () => queue.retryNow(),
    stats: () => counters.snapshot(queue.size),
    close() {
      closing ??= queue.close().then(() => undefined)
      return closing
    },
  }
  return Object.freeze(patients)
}
