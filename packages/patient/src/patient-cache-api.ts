import type { PatientIdentity } from './identity.js'
import type { PatientStorage } from './patient-options.js'
import type { Patient, PatientInput } from './patient-schema.js'
import type { PatientCacheStats } from './patient-stats.js'
import type { PatientSearchCriteria, PatientSearchOptions } from './search.js'

/** Loads a patient from the source of truth; `null`/`undefined` when there is none (not cached). */
export type PatientLoader = (code: string) => Promise<PatientInput | null | undefined>

/** A transaction object with an after-commit hook (Sequelize's `transaction.afterCommit(fn)` has this shape). */
export interface AfterCommitHook {
  /**
   * Registers `callback` to run once the transaction has committed (never after a rollback).
   *
   * @example
   * ```ts
   * const transaction = await sequelize.transaction()
   * patients.invalidateAfterCommit(code, transaction) // calls transaction.afterCommit(...)
   * await transaction.commit()                        // the entry is invalidated now
   * ```
   */
  afterCommit(callback: () => unknown): unknown
}

/** What an invalidation did: reached the store, waits in the cache's invalidation queue, or nothing (cache disabled). */
export type InvalidationOutcome = 'invalidated' | 'queued' | 'disabled'

/**
 * The patient cache of seeds 000 and 001. See docs/patient.md.
 *
 * @example
 * ```ts
 * const patients = createPatientCache({ cache, etablissement })
 * const patient = await patients.getByCode('CI-20250108-00001', (code) => db.loadPatient(code))
 * ```
 */
export interface PatientCache {
  /** `'hash'` (seed 000's HASH layout) or `'json'`. */
  readonly storage: PatientStorage
  /** The TTL every entry gets, in ms (`ttl` option or `CACHE_TTL_PATIENT`). */
  readonly ttlMs: number
  /**
   * The key of a patient code: in `'hash'` storage the store key itself
   * (`soins_suite_<etablissement>_patient_cache:<code>`); in `'json'` storage the key below the cache prefix.
   *
   * @throws InvalidKeyError when the code holds a character the code mode refuses (strict: glob characters, ':', braces, whitespace).
   * @example
   * ```ts
   * patients.keyOf('CI-20250108-00001') // 'soins_suite_880e…_patient_cache:CI-20250108-00001'
   * ```
   */
  keyOf(code: string): string
  /**
   * Cache-aside by `code_patient`: the cached record, else `load(code)`'s, shaped as a hit returns
   * it (in `'hash'` storage timestamps keep whole seconds, as the seed's RFC 3339) and written to
   * the cache (warming: in `'hash'` storage before it is returned, in `'json'` storage by the
   * cache's getOrSet), unless an invalidation of that code came after the read, in any instance (the
   * fence). One load per code per process however many callers wait. A store failure never fails
   * the call; a corrupted entry or an invalidation's tombstone is a miss; `null`/`undefined` from
   * the loader is returned as `undefined` and not cached.
   *
   * @example
   * ```ts
   * const patient = await patients.getByCode(code, (c) => db.loadPatient(c))
   * if (patient === undefined) return reply.code(404).send()
   * ```
   */
  getByCode(code: string, load: PatientLoader): Promise<Patient | undefined>
  /**
   * The cached record only (no loader): `undefined` on a miss.
   *
   * @example
   * ```ts
   * await patients.get('CI-20250108-00001')
   * ```
   */
  get(code: string): Promise<Patient | undefined>
  /**
   * Writes a record to the cache (after a create, or to warm frequently read patients). Resolves
   * `false` when it was not written (store failure, cache disabled, invalid record, invalidation pending).
   *
   * @example
   * ```ts
   * await patients.warm(createdPatient)
   * ```
   */
  warm(patient: PatientInput): Promise<boolean>
  /**
   * Invalidates cached records now: each is replaced by a tombstone (the fence; deleted with
   * the cache's `fence: false`), and loads of them in flight in any instance will not write. When
   * the store cannot be reached the invalidation waits in the cache's invalidation queue (retried
   * until it succeeds) and the record is not served from the cache meanwhile: `'queued'`. Rejects
   * only when it cannot be queued (the cache's `invalidationQueue: false`, or the queue is full).
   *
   * @example
   * ```ts
   * await patients.invalidate('CI-20250108-00001') // 'invalidated' | 'queued' | 'disabled'
   * ```
   */
  invalidate(codes: string | readonly string[]): Promise<InvalidationOutcome>
  /**
   * The data subject every entry of this patient names: `'patient:'` and the code as the key holds
   * it, so `'patient:CI-20250108-00001'` in the default `codeParam: 'strict'` (with
   * `codeParam: { hmac }`, `'patient:'` and the code's HMAC, as in the key name). Pass it to
   * `cache.forget`, or name it in the `subjects` of other entries about this patient.
   *
   * @throws InvalidKeyError when the code holds a character the code mode refuses (the message never quotes it).
   * @example
   * ```ts
   * patients.subjectOf('CI-20250108-00001') // 'patient:CI-20250108-00001'
   * await cache.set(noteKey({ id }), note, { subjects: [patients.subjectOf(code)] })
   * ```
   */
  subjectOf(code: string): string
  /**
   * Erasure: removes everything the cache holds for these patients, in every tier and process:
   * `cache.forget(patients.subjectOf(code))` (the patient entry, in `'hash'` as in `'json'`
   * storage, and every other entry naming that subject), then an invalidation of the patient keys
   * themselves (an entry written before it was indexed, or by another service, is removed too).
   * Loads of these codes in flight do not write. Call it after the source of truth has erased
   * them. Resolves how many indexed entries `cache.forget` removed (0 with the cache disabled).
   * Rejects on a store failure, like `cache.forget` (call it again).
   *
   * @throws InvalidKeyError when a code holds a character the code mode refuses.
   * @example
   * ```ts
   * await db.erasePatient(code)
   * await patients.forget(code)
   * ```
   */
  forget(codes: string | readonly string[]): Promise<number>
  /**
   * Runs `transaction` (a function that resolves once your database transaction has committed) and
   * invalidates only then: if it rejects (rolled back), the cache is left as it was and the error is
   * rethrown. Codes are checked before the transaction runs.
   *
   * @example
   * ```ts
   * const updated = await patients.invalidateAfterCommit(code, () => db.transaction((tx) => tx.updatePatient(code, changes)))
   * ```
   */
  invalidateAfterCommit<T>(codes: string | readonly string[], transaction: () => Promise<T>): Promise<T>
  /**
   * Registers the invalidation on a transaction's after-commit hook (it never runs on rollback).
   *
   * @example
   * ```ts
   * patients.invalidateAfterCommit(code, sequelizeTransaction)
   * ```
   */
  invalidateAfterCommit(codes: string | readonly string[], transaction: AfterCommitHook): void
  /**
   * Creates a patient under seed 000's anti-duplicate lock
   * (`soins_suite_patient_lock:<fingerprint>`, value: the establishment id, TTL 60 s): throws
   * DuplicatePatientError('in_flight') when the same person (name, first names and birth date,
   * normalized) is being created; otherwise runs `create()` (which should check the database and
   * throw DuplicatePatientError('exists')), warms the cache with the result, and releases the lock.
   * When the store is down `create()` runs without the lock, so concurrent creations of one person
   * can both pass the database check: store the fingerprint under a UNIQUE constraint and map its
   * violation to DuplicatePatientError('exists') too.
   *
   * @example
   * ```ts
   * const patient = await patients.createWithLock(body, () => db.insertPatientUnlessDuplicate(body))
   * ```
   */
  createWithLock(identity: PatientIdentity, create: () => Promise<PatientInput>): Promise<Patient>
  /**
   * The fingerprint naming this person's lock (with this cache's lock secret): store it to find
   * duplicates in the database by the same rule.
   *
   * @example
   * ```ts
   * await db.insert({ ...patient, cle_doublon: patients.identityFingerprint(patient) })
   * ```
   */
  identityFingerprint(identity: PatientIdentity): string
  /**
   * A search, straight to `source`: never cached (see {@link searchPatients} for why).
   *
   * @example
   * ```ts
   * await patients.search(q, ({ term, limit }) => db.searchPatients(term, limit))
   * ```
   */
  search<R>(term: string, source: (criteria: PatientSearchCriteria) => Promise<readonly R[]>, options?: PatientSearchOptions): Promise<R[]>
  /**
   * Retries the cache's queued invalidations now; resolves how many still wait.
   *
   * @example
   * ```ts
   * await patients.retryPendingInvalidations() // 0 once the store is back
   * ```
   */
  retryPendingInvalidations(): Promise<number>
  /**
   * Counters since creation.
   *
   * @example
   * ```ts
   * patients.stats().hitRate
   * ```
   */
  stats(): PatientCacheStats
  /**
   * Makes a last attempt at the cache's queued invalidations (the patient cache has no timer or
   * queue of its own: `cache.close()` stops the cache's). Closes neither the cache nor the driver
   * (it did not open them). Idempotent.
   *
   * @example
   * ```ts
   * await patients.close(); await cache.close()
   * ```
   */
  close(): Promise<void>
}
