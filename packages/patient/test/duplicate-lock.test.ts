import { sha256, toHex } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { DuplicatePatientError, isDuplicatePatientError } from '../src/index.js'
import { patientFixture, randomCode, seedPatient } from './support/fixtures.js'

const person = { nom: 'Kouadio', prenoms: 'Élodie  Marie', date_naissance: '1990-03-04' }
const samePersonTypedDifferently = { nom: ' KOUADÍO ', prenoms: 'elodie marie', date_naissance: '1990-03-04' }

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

describe('the anti-duplicate creation lock', () => {
  it("is seed 000's key soins_suite_patient_lock:<sha256 of the normalized identity>, valued with the establishment id, TTL 60 s", async () => {
    const { patients, driver, etablissement } = patientFixture()
    const creation = gate()
    const key = `soins_suite_patient_lock:${toHex(sha256('kouadio\nelodie marie\n1990-03-04'))}`
    const pending = patients.createWithLock(person, async () => {
      await creation.wait
      return seedPatient({ code_patient: randomCode() })
    })
    await expect.poll(() => driver.get(key)).toBe(etablissement)
    expect(await driver.pttl(key)).toBe(60_000)
    creation.open()
    await pending
  })

  it('refuses a second creation of the same person while the first is in flight (accents, case, spaces differ)', async () => {
    const { patients, etablissement } = patientFixture()
    const creation = gate()
    const first = patients.createWithLock(person, async () => {
      await creation.wait
      return seedPatient({ code_patient: randomCode() })
    })
    const second = patients.createWithLock(samePersonTypedDifferently, async () => seedPatient({ code_patient: randomCode() }))
    const error = await second.catch((caught: unknown) => caught)
    expect(isDuplicatePatientError(error)).toBe(true)
    expect(error).toBeInstanceOf(DuplicatePatientError)
    expect(error).toMatchObject({ code: 'DUPLICATE_PATIENT', reason: 'in_flight', heldBy: etablissement })
    expect(String((error as Error).message)).not.toMatch(/kouadio|elodie|1990/i)
    creation.open()
    await expect(first).resolves.toMatchObject({ nom: 'KOUADIO' })
    expect(patients.stats().duplicateConflicts).toBe(1)
  })

  it('lets different people be created at the same time', async () => {
    const { patients } = patientFixture()
    const results = await Promise.all([
      patients.createWithLock(person, async () => seedPatient({ code_patient: randomCode() })),
      patients.createWithLock({ ...person, date_naissance: '1990-03-05' }, async () => seedPatient({ code_patient: randomCode() })),
    ])
    expect(results).toHaveLength(2)
  })

  it('warms the cache with the created patient and releases the lock afterwards', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    const created = await patients.createWithLock(person, async () => seedPatient({ code_patient: code }))
    expect(await patients.get(code)).toEqual(created)
    const key = `soins_suite_patient_lock:${patients.identityFingerprint(person)}`
    expect(await driver.exists([key])).toBe(0)
  })

  it('releases the lock when the creation fails, so the user can retry at once', async () => {
    const { patients } = patientFixture()
    await expect(patients.createWithLock(person, async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
    await expect(patients.createWithLock(person, async () => seedPatient({ code_patient: randomCode() }))).resolves.toBeDefined()
  })

  it("passes the caller's own DuplicatePatientError('exists') through", async () => {
    const { patients } = patientFixture()
    const error = await patients.createWithLock(person, async () => Promise.reject(new DuplicatePatientError('exists'))).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'DUPLICATE_PATIENT', reason: 'exists' })
  })

  it('does not release a lock of another establishment (compare-and-delete)', async () => {
    const { patients, driver } = patientFixture()
    const key = `soins_suite_patient_lock:${patients.identityFingerprint(person)}`
    await patients.createWithLock(person, async () => {
      // Our lock is lost (expired) and another establishment takes the key meanwhile.
      await driver.set(key, 'autre-etablissement', { ttlMs: 60_000 })
      return seedPatient({ code_patient: randomCode() })
    })
    expect(await driver.get(key)).toBe('autre-etablissement')
  })

  it('with keepAfterCreate, keeps the lock until it expires (refuses a double submission)', async () => {
    const { patients } = patientFixture({ duplicateLock: { keepAfterCreate: true } })
    await patients.createWithLock(person, async () => seedPatient({ code_patient: randomCode() }))
    await expect(patients.createWithLock(person, async () => seedPatient({ code_patient: randomCode() }))).rejects.toMatchObject({ reason: 'in_flight' })
  })

  it('with a secret, names the lock with an HMAC so the key does not reveal a guessable identity', async () => {
    const { patients } = patientFixture({ duplicateLock: { secret: 'k1' } })
    const plain = patientFixture().patients
    expect(patients.identityFingerprint(person)).not.toBe(plain.identityFingerprint(person))
    expect(patients.identityFingerprint(person)).toBe(patients.identityFingerprint(samePersonTypedDifferently))
  })

  it('creates without the lock when the store is down (counted): registration must not stop', async () => {
    const { patients, driver } = patientFixture()
    driver.down = true
    const created = await patients.createWithLock(person, async () => seedPatient({ code_patient: randomCode() }))
    expect(created.nom).toBe('KOUADIO')
    expect(patients.stats().lockUnavailable).toBe(1)
  })

  it('refuses an identity without a valid birth date', async () => {
    const { patients } = patientFixture()
    await expect(patients.createWithLock({ ...person, date_naissance: '04/03/1990' }, async () => seedPatient())).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
  })
})

describe('a created patient whose code cannot be a key', () => {
  it('is returned (it is committed) but not cached, and the lock is released', async () => {
    const { patients, driver, logger } = patientFixture()
    const created = await patients.createWithLock(person, async () => seedPatient({ code_patient: 'CI 2025 *' }))
    expect(created.code_patient).toBe('CI 2025 *')
    expect(logger.lines.some((line) => line.fields.code === 'INVALID_KEY')).toBe(true)
    expect(await driver.exists([`soins_suite_patient_lock:${patients.identityFingerprint(person)}`])).toBe(0)
  })
})
