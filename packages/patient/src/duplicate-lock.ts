import { isCacheError } from '@cachette/core'
import type { CacheKit } from '@cachette/core/kit'
import { DuplicatePatientError } from './errors.js'
import { identityFingerprint, type PatientIdentity } from './identity.js'
import type { ResolvedPatientOptions } from './patient-options.js'
import type { PatientStatsCounters } from './patient-stats.js'

/** A held lock; `release()` never throws. */
export interface HeldLock {
  release(): Promise<void>
}

const NOT_LOCKED: HeldLock = { release: async () => undefined }

/** The lock key of a person: `soins_suite_patient_lock:<fingerprint>`. */
export function duplicateLockKey(options: ResolvedPatientOptions, identity: PatientIdentity): string {
  return options.lockKeyPrefix + identityFingerprint(identity, options.lockSecret)
}

/**
 * Takes seed 000's anti-duplicate lock: SET key <etablissement> NX PX <ttl>. Throws
 * DuplicatePatientError('in_flight') when another creation holds it. When the store cannot be
 * reached, the creation goes ahead unlocked (counted, logged): a cache outage must not stop patient
 * registration. A check-then-insert in the database does not close the race on its own (two
 * transactions both check before either inserts): only a UNIQUE constraint on the stored
 * fingerprint keeps one row per person while the lock is unavailable.
 */
export async function acquireDuplicateLock(options: ResolvedPatientOptions, kit: CacheKit, stats: PatientStatsCounters, identity: PatientIdentity): Promise<HeldLock> {
  const { etablissement, lockTtlMs } = options
  const key = duplicateLockKey(options, identity)
  let acquired: boolean
  try {
    acquired = await kit.call('lock', (driver) => driver.set(key, etablissement, { ttlMs: lockTtlMs, condition: 'nx' }))
  } catch (error) {
    stats.lockUnavailable++
    kit.warn('the anti-duplicate lock could not be taken (store unavailable); creating without it', 'lock', isCacheError(error) ? error.code : 'DRIVER_FAILURE', error)
    return NOT_LOCKED
  }
  if (!acquired) {
    stats.duplicateConflicts++
    // Best effort: who holds it is useful in the 409, not worth failing over.
    const heldBy = await kit.call('lock', (driver) => driver.get(key)).catch(() => null)
    throw new DuplicatePatientError('in_flight', heldBy === null ? {} : { heldBy })
  }
  if (options.keepLockAfterCreate) return NOT_LOCKED
  const acquiredAt = Date.now()
  return {
    async release() {
      // The value is the establishment id (seed 000), not a unique token: once our TTL has passed,
      // another creation from this establishment may hold the key, and deleting it would free *their*
      // lock. Near the TTL (one deadline of margin: the server's clock started before our SET
      // returned) we leave it alone; compareAndDelete covers other establishments.
      if (Date.now() - acquiredAt >= lockTtlMs - kit.deadlineMs) return
      // A failure is logged by the kit; the lock expires by itself.
      await kit.call('lock', (driver) => driver.compareAndDelete(key, etablissement)).catch(() => undefined)
    },
  }
}
