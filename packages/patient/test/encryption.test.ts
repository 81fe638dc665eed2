import { randomBytes, randomUUID } from 'node:crypto'
import { createCache, memoryDriver, type Cache, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PATIENT_CLEAR_FIELDS, PATIENT_HASH_FIELDS, PATIENT_SEALED_FIELDS, PatientSchema, createPatientCache, type PatientCache, type PatientInput } from '../src/index.js'
import { SEED_HASH, memoryLogger, randomCode, seedPatient } from './support/fixtures.js'

const KEY_A = randomBytes(32)
const KEY_B = randomBytes(32)

/** What a patient's HASH must never show in clear: every piece of the person's data in seedPatient(). */
const PHI = ['KOUADIO', 'Jean Baptiste Marie', '1985-06-15', '+225 07 12 34 56 78', '+225 01 98 76 54 32', 'jean.kouadio@example.com', 'Cocody', 'Angré', 'Abidjan', 'MUGEF-2024-12345', 'MUGEF-CI', '550e8400-e29b-41d4-a716-446655440001', '660e8400-e29b-41d4-a716-446655440002', '770e8400-e29b-41d4-a716-446655440003']

type Encryption = { keys: Record<string, Uint8Array>; current: string } | undefined

describe.each(['memory', 'redis'] as const)('patient HASH encryption at rest, on %s', (store) => {
  let server: RedisServerHandle | undefined
  let shared: Driver | undefined
  const drivers: Driver[] = []

  beforeAll(async () => {
    if (store === 'redis') server = await startRedisServer()
    else shared = memoryDriver()
  })

  afterAll(async () => {
    await Promise.all(drivers.map((driver) => driver.close()))
    await shared?.close()
    await server?.stop()
  })

  /** A driver on the suite's store (a new connection on redis, the one shared memory store otherwise). */
  function driver(): Driver {
    if (shared !== undefined) return shared
    const made = ioredisDriver({ url: (server as RedisServerHandle).url })
    drivers.push(made)
    return made
  }

  /** A patient cache of establishment `etablissement` on the store, with `encryption` (none: undefined). */
  function patientCache(etablissement: string, encryption: Encryption): { cache: Cache; patients: PatientCache; logger: ReturnType<typeof memoryLogger> } {
    const logger = memoryLogger()
    const cache = createCache({ driver: driver(), env: false, logger, ...(encryption === undefined ? {} : { encryption }) })
    return { cache, patients: createPatientCache({ cache, etablissement, env: false }), logger }
  }

  /** Loads `patient` once, counting the loader's calls. */
  function loader(patient: PatientInput): { load: () => Promise<PatientInput>; calls: () => number } {
    let calls = 0
    return {
      load: async () => {
        calls++
        return patient
      },
      calls: () => calls,
    }
  }

  const raw = (key: string) => driver().hgetall(key)
  const onlyA: Encryption = { keys: { a: KEY_A }, current: 'a' }

  it('(a) seals every patient field: HGETALL shows none of the name, phones, email, address or insurance, and the patient reads back', async () => {
    const etablissement = randomUUID()
    const { patients, cache } = patientCache(etablissement, onlyA)
    const code = randomCode()
    const patient = seedPatient({ code_patient: code, etablissement_createur_id: etablissement })
    await patients.getByCode(code, async () => patient)

    const hash = await raw(patients.keyOf(code))
    expect(Object.keys(hash).sort()).toEqual([...PATIENT_HASH_FIELDS].sort())
    const dump = JSON.stringify(hash)
    for (const secret of PHI) expect(dump).not.toContain(secret)
    for (const field of PATIENT_SEALED_FIELDS) expect(hash[field]).toMatch(/^@s1 a [A-Za-z0-9_-]{16} [A-Za-z0-9+/]+={0,2}$/)
    // Only the code, the establishment (both in the key name) and the timestamps stay clear.
    expect(Object.fromEntries(PATIENT_CLEAR_FIELDS.map((field) => [field, hash[field]]))).toEqual({
      code_patient: code,
      etablissement_createur_id: etablissement,
      created_at: SEED_HASH.created_at,
      updated_at: SEED_HASH.updated_at,
    })

    // Another instance with the same key reads it: a hit, no load, the whole record.
    const other = patientCache(etablissement, onlyA)
    const read = await other.patients.getByCode(code, async () => {
      throw new Error('must be served from the sealed HASH')
    })
    expect(read).toEqual(PatientSchema.parse(patient))
    expect(await patients.get(code)).toEqual(PatientSchema.parse(patient))
    expect(cache.stats().decryptFailures + other.cache.stats().decryptFailures).toBe(0)
  })

  it('(b) a sealed value copied to another patient or another field is not served: a miss, the loader runs, the HASH is rewritten', async () => {
    const etablissement = randomUUID()
    const { patients, cache, logger } = patientCache(etablissement, onlyA)
    const codeA = randomCode()
    const codeB = randomCode()
    const patientA = seedPatient({ code_patient: codeA, nom: 'AKISSI', telephone_principal: '+225 05 55 55 55 55', email: 'a.akissi@example.com' })
    const patientB = seedPatient({ code_patient: codeB, nom: 'BAMBA', telephone_principal: '+225 07 77 77 77 77', email: 'b.bamba@example.com' })
    await patients.warm(patientA)
    await patients.warm(patientB)
    const keyA = patients.keyOf(codeA)
    const keyB = patients.keyOf(codeB)

    // A's sealed phone number into B's HASH, same field.
    const hashA = await raw(keyA)
    await driver().batch([{ op: 'hset', key: keyB, fields: { telephone_principal: hashA.telephone_principal as string } }])
    const loadB = loader(patientB)
    expect(await patients.getByCode(codeB, loadB.load)).toEqual(PatientSchema.parse(patientB))
    expect(loadB.calls()).toBe(1)
    expect(cache.stats().decryptFailures).toBe(1)
    // Rewritten with B's own sealed values: the next read is a hit with B's phone.
    expect(await patients.getByCode(codeB, loadB.load)).toMatchObject({ telephone_principal: '+225 07 77 77 77 77' })
    expect(loadB.calls()).toBe(1)

    // Within one HASH: A's sealed email moved to its telephone_principal field.
    const again = await raw(keyA)
    await driver().batch([{ op: 'hset', key: keyA, fields: { telephone_principal: again.email as string } }])
    const loadA = loader(patientA)
    expect(await patients.getByCode(codeA, loadA.load)).toEqual(PatientSchema.parse(patientA))
    expect(loadA.calls()).toBe(1)
    expect(cache.stats().decryptFailures).toBe(2)

    // A's whole HASH copied under B's key: nothing of it opens there.
    const whole = await raw(keyA)
    await driver().batch([{ op: 'delete', keys: [keyB] }, { op: 'hset', key: keyB, fields: whole }])
    expect(await patients.getByCode(codeB, loadB.load)).toEqual(PatientSchema.parse(patientB))
    expect(loadB.calls()).toBe(2)
    expect(cache.stats().decryptFailures).toBe(3)

    const failures = logger.lines.filter((line) => line.fields.code === 'DECRYPT_FAILED')
    expect(failures).toHaveLength(3)
    const logged = JSON.stringify(logger.lines)
    for (const secret of [codeA, codeB, keyA, keyB, etablissement, 'telephone_principal', 'AKISSI', 'BAMBA', '+225', '@s1']) expect(logged).not.toContain(secret)
  })

  it('(c) rotation: written under key a, read by a cache holding {a, b} with b current; its writes then seal under b', async () => {
    const etablissement = randomUUID()
    const before = patientCache(etablissement, onlyA)
    const code = randomCode()
    const patient = seedPatient({ code_patient: code })
    await before.patients.warm(patient)
    expect((await raw(before.patients.keyOf(code))).nom).toMatch(/^@s1 a /)

    const rotated = patientCache(etablissement, { keys: { a: KEY_A, b: KEY_B }, current: 'b' })
    const load = loader(patient)
    expect(await rotated.patients.getByCode(code, load.load)).toEqual(PatientSchema.parse(patient))
    expect(load.calls()).toBe(0)
    expect(rotated.cache.stats().decryptFailures).toBe(0)

    await rotated.patients.invalidate(code)
    await rotated.patients.getByCode(code, load.load)
    expect(load.calls()).toBe(1)
    const hash = await raw(rotated.patients.keyOf(code))
    for (const field of PATIENT_SEALED_FIELDS) expect(hash[field]).toMatch(/^@s1 b /)
    // A cache with only the old key cannot open it: a miss, counted, not garbage.
    const stale = loader(patient)
    expect(await before.patients.getByCode(code, stale.load)).toEqual(PatientSchema.parse(patient))
    expect(stale.calls()).toBe(1)
    expect(before.cache.stats().decryptFailures).toBe(1)
  })

  it('(d) a cache without encryption reading sealed fields: a miss (counted, logged), the loaded record served, never the sealed text', async () => {
    const etablissement = randomUUID()
    const sealing = patientCache(etablissement, onlyA)
    const code = randomCode()
    const patient = seedPatient({ code_patient: code })
    await sealing.patients.warm(patient)

    const plain = patientCache(etablissement, undefined)
    const load = loader(patient)
    expect(await plain.patients.getByCode(code, load.load)).toEqual(PatientSchema.parse(patient))
    expect(load.calls()).toBe(1)
    // Counted once for the whole HASH (the first sealed field), not once per field.
    expect(plain.cache.stats().decryptFailures).toBe(1)
    expect(plain.logger.lines.filter((line) => line.fields.code === 'DECRYPT_FAILED').map((line) => line.message)).toEqual([
      '[@cachette/patient] a sealed field was read by a cache without encryption; it was read as missing',
    ])
    // Rewritten in clear by the cache without encryption (it has no key to seal with), and now a hit.
    expect((await raw(plain.patients.keyOf(code))).nom).toBe('KOUADIO')
    expect(await plain.patients.get(code)).toEqual(PatientSchema.parse(patient))

    // get() alone: sealed again by the other instance, read as a miss (undefined), never the sealed text.
    await sealing.patients.warm(patient)
    expect(await plain.patients.get(code)).toBeUndefined()
    expect(plain.cache.stats().decryptFailures).toBe(2)
  })

  it('reads a HASH written before encryption was turned on; one mixing sealed and plain patient data is corrupted', async () => {
    const etablissement = randomUUID()
    const clear = patientCache(etablissement, undefined)
    const code = randomCode()
    const patient = seedPatient({ code_patient: code })
    await clear.patients.warm(patient)
    expect((await raw(clear.patients.keyOf(code))).email).toBe('jean.kouadio@example.com')

    const sealing = patientCache(etablissement, onlyA)
    const load = loader(patient)
    expect(await sealing.patients.getByCode(code, load.load)).toEqual(PatientSchema.parse(patient))
    expect(load.calls()).toBe(0)

    const other = randomCode()
    await sealing.patients.warm(seedPatient({ code_patient: other }))
    await driver().batch([{ op: 'hset', key: sealing.patients.keyOf(other), fields: { email: 'mallory@example.com' } }])
    const loadOther = loader(seedPatient({ code_patient: other }))
    expect(await sealing.patients.getByCode(other, loadOther.load)).toMatchObject({ email: 'jean.kouadio@example.com' })
    expect(loadOther.calls()).toBe(1)
    expect(sealing.patients.stats().decodeFailures).toBe(1)
  })
})
