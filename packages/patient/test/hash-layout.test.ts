import { describe, expect, it } from 'vitest'
import { PATIENT_HASH_FIELDS, PatientSchema, decodePatientHash, encodePatientHash, formatRfc3339 } from '../src/index.js'
import { SEED_HASH, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe("seed 000's HASH layout", () => {
  it('encodes the seed example into exactly the seed HASH, field for field', () => {
    expect(encodePatientHash(PatientSchema.parse(seedPatient()))).toEqual(SEED_HASH)
    expect(Object.keys(SEED_HASH)).toEqual([...PATIENT_HASH_FIELDS])
  })

  it('decodes the seed HASH into the seed patient', () => {
    expect(decodePatientHash(SEED_HASH)).toEqual(PatientSchema.parse(seedPatient()))
  })

  it('writes booleans as "true"/"false" and timestamps as RFC 3339 UTC to the second, as Go does', () => {
    const fields = encodePatientHash(PatientSchema.parse(seedPatient({ est_assure: false, created_at: new Date('2025-03-01T08:09:10.987Z') })))
    expect(fields.est_assure).toBe('false')
    expect(fields.created_at).toBe('2025-03-01T08:09:10Z')
    expect(formatRfc3339(new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)))).toBe('1999-12-31T23:59:59Z')
  })

  it("reads what the seed's Go writer writes: no assurances field, missing contacts, offsets and fractions", () => {
    const { assurances, email, ville, commune, telephone_secondaire, nationalite_id, situation_matrimoniale_id, ...goWritten } = SEED_HASH
    const patient = decodePatientHash({ ...goWritten, created_at: '2025-01-08T11:00:00+01:00', updated_at: '2025-01-08T14:30:00.123456789Z' })
    expect(patient).toMatchObject({ assurances: [], email: null, ville: null, commune: null, telephone_secondaire: null, nationalite_id: null })
    expect(patient?.created_at.toISOString()).toBe('2025-01-08T10:00:00.000Z')
    expect(patient?.updated_at.toISOString()).toBe('2025-01-08T14:30:00.123Z')
  })

  it('omits null optional fields and writes an empty assurances list as "[]"', () => {
    const fields = encodePatientHash(PatientSchema.parse(seedPatient({ email: null, ville: undefined, assurances: [] })))
    expect(fields).not.toHaveProperty('email')
    expect(fields).not.toHaveProperty('ville')
    expect(fields.assurances).toBe('[]')
    expect(decodePatientHash(fields)).toMatchObject({ email: null, ville: null, assurances: [] })
  })

  it('ignores fields it does not know (a newer writer may add some)', () => {
    expect(decodePatientHash({ ...SEED_HASH, groupe_sanguin: 'O+' })).toEqual(PatientSchema.parse(seedPatient()))
  })

  it.each([
    ['a missing required field', { ...SEED_HASH, nom: undefined }],
    ['est_assure other than true/false', { ...SEED_HASH, est_assure: '1' }],
    ['a birth date that is not a calendar date', { ...SEED_HASH, date_naissance: '1985-02-30' }],
    ['a timestamp that is not RFC 3339', { ...SEED_HASH, created_at: '08/01/2025' }],
    ['assurances that are not JSON', { ...SEED_HASH, assurances: '[{' }],
    ['assurances of the wrong shape', { ...SEED_HASH, assurances: '[{"id":1}]' }],
  ])('rejects %s', (_name, fields) => {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<string, string>
    expect(decodePatientHash(defined)).toBeUndefined()
  })

  it('stores a patient as that HASH, with a TTL, at soins_suite_<etablissement>_patient_cache:<code>', async () => {
    const { driver, patients, etablissement } = patientFixture()
    const code = randomCode()
    await patients.getByCode(code, async () => seedPatient({ code_patient: code }))
    const key = `soins_suite_${etablissement}_patient_cache:${code}`
    expect(patients.keyOf(code)).toBe(key)
    expect(await driver.hgetall(key)).toEqual({ ...SEED_HASH, code_patient: code })
    expect(await driver.pttl(key)).toBe(3_600_000)
  })

  it('replaces the whole HASH on a rewrite, so a field that became null does not survive', async () => {
    const { driver, patients } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    await patients.warm(seedPatient({ code_patient: code, email: null }))
    expect(await driver.hgetall(patients.keyOf(code))).not.toHaveProperty('email')
  })
})
