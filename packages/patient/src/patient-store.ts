import type { Key } from '@cachette/core'
import type { Patient } from './patient-schema.js'

/** A loaded record as the patient cache checked it. */
export interface LoadedRecord {
  readonly patient: Patient | undefined
  /** False: returned to the callers, never written (not found, invalid, another code, or invalidated in this process meanwhile). */
  readonly cacheable: boolean
}

/** What a read-through gave. */
export interface ReadThrough {
  readonly patient: Patient | undefined
  /** Served from the cache: no load ran. */
  readonly hit: boolean
  /** The loaded record was written (`'hash'`), or handed to the cache to write (`'json'`). */
  readonly written: boolean
}

/**
 * Where patient records live. Reads, read-throughs and writes never throw for a store failure (a
 * miss / `false`); a loader error rejects the read-through. Invalidations go through the kit.
 */
export interface PatientStore {
  /** The record under `key`, which must be the one of `code`: an entry naming another patient is corrupted (a miss, deleted). */
  read(key: Key<Patient>, code: string): Promise<Patient | undefined>
  /** The record, else `load()`'s, written unless the load was not cacheable or the fence refuses it. */
  readThrough(key: Key<Patient>, code: string, load: () => Promise<LoadedRecord>): Promise<ReadThrough>
  /** Writes a record the caller vouches for (a create, `warm()`), whatever the key holds. Its code is `patient.code_patient`. */
  write(key: Key<Patient>, patient: Patient): Promise<boolean>
  /** The store key of a patient key (what the kit invalidates): the key itself in `'hash'` storage, below the cache prefix in `'json'`. */
  storeKey(key: Key<Patient>): string
}

/** Why an entry was discarded: undecodable, not a HASH, or a record of another patient than its key's. */
export type CorruptionReason = 'DECODE_FAILED' | 'WRONG_TYPE' | 'KEY_MISMATCH'

// Messages name the problem, never the key, the codes or a value.
export const CORRUPTION_MESSAGES: Readonly<Record<CorruptionReason, string>> = {
  DECODE_FAILED: 'a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss',
  WRONG_TYPE: 'a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss',
  KEY_MISMATCH: "a patient entry holds another patient's record than its key names; it was deleted and read as a miss",
}
