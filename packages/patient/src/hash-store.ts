import { isSealed } from '@cachette/core/kit'
import { isCacheError, isTombstone, type BatchCommand } from '@cachette/core'
import type { CacheKit } from '@cachette/core/kit'
import { PATIENT_HASH_FIELDS, PATIENT_SEALED_FIELDS, decodePatientHash, encodePatientHash } from './hash-codec.js'
import type { ResolvedPatientOptions } from './patient-options.js'
import type { Patient } from './patient-schema.js'
import type { PatientStatsCounters } from './patient-stats.js'
import type { PatientSubjectBuilder } from './patient-keys.js'
import { CORRUPTION_MESSAGES, type CorruptionReason, type PatientStore } from './patient-store.js'

/**
 * The fence of 'hash' storage, core's fence (its tombstones, claims, TTL and invalidations, through
 * the kit) with a HASH write: a load that started before an invalidation, in any process, does not
 * write what it read.
 *
 * - An invalidation never leaves the key empty: it SETs a tombstone, `@cf <128 random bits>`, that
 *   lives the fence TTL. A plain string SET replaces the HASH atomically. A tombstone is a miss.
 * - A load remembers a tombstone the key held before its loader ran. When the key held nothing,
 *   the load first *claims* it: SET NX of a tombstone of its own. So every load that may write
 *   holds a token, and its write first removes exactly that token (compareAndDelete). Any
 *   invalidation since then replaced the token, and the write is skipped.
 * - The write is one MULTI without DEL: HDEL of the null fields, HSET, PEXPIRE. HSET on a key that
 *   holds a string fails with WRONGTYPE, so a tombstone set between the compareAndDelete and the
 *   MULTI still blocks it.
 *
 * Why claim an absent key instead of writing with a plain HSET after observing "nothing": the
 * absent state comes back. A load L1 reads nothing, an invalidation leaves tombstone T, a load L2
 * reads T, loads, compareAndDeletes T and writes its (fresh) HASH: L1's HSET, whenever it comes,
 * lands on an absent key or merges into L2's HASH, with what L1 read before the commit. A token
 * never comes back, so L1's compareAndDelete of its own claim fails instead.
 */

/**
 * What a read found: the record, or a miss with what the key held (a tombstone), or a corrupted
 * entry being deleted.
 */
type Found = { readonly patient: Patient } | { readonly patient?: undefined; readonly tombstone?: string; readonly deleting?: Promise<void> }

const MISS: Found = Object.freeze({})

/** WRONGTYPE is an answer here, not a failure: a tombstone (a string) stands where a HASH may be, or the reverse. */
const WRONG_TYPE_EXPECTED = { expected: ['WRONG_TYPE'] } as const

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  // No Object.keys(): no array allocated on the hit path.
  for (const _ in record) return false
  return true
}

function isWrongType(error: unknown): boolean {
  return isCacheError(error) && error.code === 'WRONG_TYPE'
}

/** The fields of a read HASH, opened: `undefined` when a sealed one did not open, `'mixed'` when sealed and plain patient data sit side by side. */
type Opened = Readonly<Record<string, string>> | undefined | 'mixed'

/**
 * Seed 000's HASH, at exactly the key the template gives, with the fence of fence.ts. Every write
 * is one MULTI ending in HSET, PEXPIRE: the seed's HMSET then EXPIRE could leave a hash without TTL
 * if the process died in between.
 */
export function hashStore(options: ResolvedPatientOptions, kit: CacheKit<'hashes' | 'batch'>, stats: PatientStatsCounters, subjectOf: PatientSubjectBuilder): PatientStore {
  const { ttlMs } = options
  const fenceMs = kit.fence.ttlMs

  /** A store failure the caller absorbs: the kit has counted, measured and logged it. */
  function failed(): void {
    stats.errors++
  }

  function refused(): false {
    stats.fencedWrites++
    return kit.fence.refused()
  }

  function corrupted(key: string, reason: CorruptionReason): Found {
    stats.decodeFailures++
    kit.corrupted(CORRUPTION_MESSAGES[reason], reason === 'WRONG_TYPE' ? 'WRONG_TYPE' : 'DECODE_FAILED', reason)
    // Deleted in the background: the caller already falls back to the database (a load waits for it before claiming the key).
    const deleting = kit.call('invalidate', (driver) => driver.delete([key])).then(() => undefined, failed)
    return { deleting }
  }

  /**
   * A sealed field that does not open (a key this cache lacks, a value moved from another field or
   * another patient's HASH, altered bytes, a cache without encryption): the kit has counted
   * (`decryptFailures`) and logged it. The entry is a miss and is deleted in the background, like a
   * corrupted one, so that the load rewrites it.
   */
  function undecryptable(key: string): Found {
    const deleting = kit.call('invalidate', (driver) => driver.delete([key])).then(() => undefined, failed)
    return { deleting }
  }

  /**
   * Opens the sealed patient fields of a HASH (see PATIENT_SEALED_FIELDS). Plain values read as
   * they are (a HASH written before encryption was turned on, or by the seed's Go writer); a HASH
   * mixing sealed and plain patient data is not one this package wrote. No sealed value, no await.
   */
  async function openFields(key: string, fields: Readonly<Record<string, string>>): Promise<Opened> {
    let sealed: string[] | undefined
    let plain = false
    for (const name of PATIENT_SEALED_FIELDS) {
      const value = fields[name]
      if (value === undefined) continue
      if (isSealed(value)) (sealed ??= []).push(name)
      else plain = true
    }
    if (sealed === undefined) return fields
    if (plain) return 'mixed'
    const opened: Record<string, string> = { ...fields }
    // The first alone: a HASH no key of this cache opens fails (and is counted, logged) once, not once per field.
    const [first, ...rest] = sealed as [string, ...string[]]
    const text = await kit.open(key, first, fields[first] as string)
    if (text === undefined) return undefined
    opened[first] = text
    const texts = await Promise.all(rest.map((name) => kit.open(key, name, fields[name] as string)))
    for (let i = 0; i < rest.length; i++) {
      const value = texts[i]
      if (value === undefined) return undefined
      opened[rest[i] as string] = value
    }
    return opened
  }

  /** Seals the patient fields of an encoded HASH when the cache has encryption; as is otherwise. */
  async function sealFields(key: string, fields: Record<string, string>): Promise<Record<string, string>> {
    if (!kit.encrypted) return fields
    const names = PATIENT_SEALED_FIELDS.filter((name) => fields[name] !== undefined)
    const sealed = await Promise.all(names.map((name) => kit.seal(key, name, fields[name] as string)))
    const out: Record<string, string> = { ...fields }
    names.forEach((name, i) => (out[name] = sealed[i] as string))
    return out
  }

  /** After WRONGTYPE on HGETALL: a string is at the key. A tombstone is a plain miss (not corrupted, kept); anything else is corrupted. */
  async function readString(key: string): Promise<Found> {
    let value: string | null
    try {
      value = await kit.call('get', (driver) => driver.get(key), WRONG_TYPE_EXPECTED)
    } catch (error) {
      // WRONGTYPE again: a load wrote its HASH between the two reads. A miss this time.
      if (!isWrongType(error)) failed()
      return MISS
    }
    if (value === null) return MISS
    return isTombstone(value) ? { tombstone: value } : corrupted(key, 'WRONG_TYPE')
  }

  async function find(key: string, code: string): Promise<Found> {
    let fields: Record<string, string>
    try {
      fields = await kit.call('get', (driver) => driver.hgetall(key), WRONG_TYPE_EXPECTED)
    } catch (error) {
      // A string under our name: an invalidation's tombstone, or corrupted data; not an outage.
      if (isWrongType(error)) return readString(key)
      failed()
      return MISS
    }
    // HGETALL on a missing key is {}: a plain miss.
    if (isEmpty(fields)) return MISS
    const opened = await openFields(key, fields)
    if (opened === undefined) return undecryptable(key)
    if (opened === 'mixed') return corrupted(key, 'DECODE_FAILED')
    const patient = decodePatientHash(opened)
    if (patient === undefined) return corrupted(key, 'DECODE_FAILED')
    // A well-formed hash naming another patient (a bug or a hostile writer of the shared store)
    // must not be served as this code's record.
    if (patient.code_patient !== code) return corrupted(key, 'KEY_MISMATCH')
    return { patient }
  }

  async function lookup(key: string, code: string): Promise<Found> {
    const found = await find(key, code)
    if (found.patient === undefined) kit.miss()
    else kit.hit()
    return found
  }

  /**
   * The MULTI of a write. `replace` (a create, `warm()`, the fence off): DEL first, so the record
   * replaces whatever the key holds. Fenced: no DEL, which would remove a tombstone an invalidation
   * set since the compareAndDelete; HSET (and HDEL) on a tombstone fail with WRONGTYPE instead.
   * The DEL also kept a field that became null from surviving from an older HASH. Fenced, the key
   * is normally absent (we just removed our token); it may hold a HASH only if another load wrote
   * it in between, and with no invalidation in between (its tombstone would block us), so a record
   * of the same version, except in the window between a commit and its invalidation, which that
   * invalidation then replaces. The HDEL of the fields that are null here still makes the HASH
   * exactly this record, never a mix of two.
   */
  async function hashWrite(key: string, patient: Patient, replace: boolean): Promise<BatchCommand[]> {
    const fields = await sealFields(key, encodePatientHash(patient))
    const commands: BatchCommand[] = []
    if (replace) commands.push({ op: 'delete', keys: [key] })
    else {
      const nullFields = PATIENT_HASH_FIELDS.filter((name) => fields[name] === undefined)
      if (nullFields.length > 0) commands.push({ op: 'hdel', key, fields: nullFields })
    }
    commands.push({ op: 'hset', key, fields }, { op: 'pexpire', key, ttlMs })
    return commands
  }

  /**
   * Records the HASH in the index of its patient's data subject, BEFORE it is written (so a HASH
   * that exists is always indexed, and `cache.forget(subject)` removes it). The index outlives the
   * entry TTL. Rejects on a store failure: the HASH is then not written.
   */
  function index(key: string, code: string): Promise<void> {
    return kit.indexSubjects([key], [subjectOf(code)], { ttlMs })
  }

  async function replace(key: string, patient: Patient): Promise<boolean> {
    try {
      const commands = await hashWrite(key, patient, true)
      await index(key, patient.code_patient)
      await kit.call('set', (driver) => driver.batch(commands))
      return true
    } catch {
      failed()
      return false
    }
  }

  /**
   * The write after a load: only if the key still holds `token`, removed atomically
   * (compareAndDelete), then the MULTI. Resolves true when written.
   */
  async function writeFenced(key: string, patient: Patient, token: string | undefined, since: number): Promise<boolean> {
    // No token: the claim found the key taken (another load's claim) or the store failed.
    if (token === undefined) return false
    // Core's rule (kit.fence.admits): no write later than the fence TTL after the read, less the two
    // store calls that follow. The token check alone would refuse it too (a token lives the fence
    // TTL, and none comes back once expired); the rule spares the two calls.
    // Sealed first: nothing but the two store calls between the fence's check and the MULTI.
    let commands: BatchCommand[]
    try {
      commands = await hashWrite(key, patient, false)
    } catch {
      failed()
      return false
    }
    try {
      await index(key, patient.code_patient)
    } catch {
      failed()
      return false
    }
    if (!kit.fence.admits(since)) return refused()
    try {
      if (!(await kit.call('set', (driver) => driver.compareAndDelete(key, token), WRONG_TYPE_EXPECTED))) return refused()
    } catch (error) {
      // WRONGTYPE: a HASH is there, another instance's load wrote it since our read.
      if (isWrongType(error)) return refused()
      failed()
      return false
    }
    try {
      await kit.call('set', (driver) => driver.batch(commands), WRONG_TYPE_EXPECTED)
      return true
    } catch (error) {
      if (!isWrongType(error)) {
        failed()
        return false
      }
      // A tombstone came between the compareAndDelete and the MULTI: the HSET failed, as it must.
      // Redis still ran the PEXPIRE (EXEC runs every queued command), giving that tombstone the
      // entry TTL; the memory driver undoes the whole batch. Harmless either way (a longer fence
      // only delays the next write to that key's next load), but put the fence TTL back.
      const value = await kit.call('get', (driver) => driver.get(key), WRONG_TYPE_EXPECTED).catch(() => null)
      if (value !== null && isTombstone(value) && fenceMs !== undefined) await kit.call('set', (driver) => driver.pexpire(key, fenceMs)).catch(() => undefined)
      return refused()
    }
  }

  return {
    async read(key, code) {
      return (await lookup(key.key, code)).patient
    },
    async readThrough(key, code, load) {
      const since = performance.now()
      const found = await lookup(key.key, code)
      if (found.patient !== undefined) return { patient: found.patient, hit: true, written: false }
      if (fenceMs === undefined) {
        const loaded = await load()
        const written = loaded.cacheable && loaded.patient !== undefined && (await replace(key.key, loaded.patient))
        return { patient: loaded.patient, hit: false, written }
      }
      let token: string | undefined
      let claimed = false
      if (found.tombstone !== undefined) token = found.tombstone
      else {
        // Absent, corrupted (deleted first), or unknown (the read failed): the load claims the key.
        if (found.deleting !== undefined) await found.deleting
        token = await kit.fence.claim(key.key)
        claimed = token !== undefined
      }
      const release = (): void => {
        if (claimed) kit.fence.release(key.key, token)
      }
      let written = false
      try {
        const loaded = await load()
        if (loaded.cacheable && loaded.patient !== undefined) written = await writeFenced(key.key, loaded.patient, token, since)
        else release()
        return { patient: loaded.patient, hit: false, written }
      } catch (error) {
        release()
        throw error
      }
    },
    write: (key, patient) => replace(key.key, patient),
    storeKey: (key) => key.key,
  }
}
