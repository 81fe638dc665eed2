import { describe, expect, it } from 'vitest'
import { CalendarDateSchema, PatientSchema, decodePatientHash, encodePatientHash, identityFingerprint } from '../src/index.js'
import { SEED_HASH, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

const valid = (date: string) => CalendarDateSchema.safeParse(date).success

describe('CalendarDateSchema: real calendar dates from 0001-01-01 to 9999-12-31', () => {
  it.each(['0001-01-01', '0001-12-31', '0050-06-15', '0099-12-31', '0100-01-01', '0100-02-28', '1985-06-15', '9999-12-31'])('accepts %s', (date) => {
    expect(valid(date)).toBe(true)
  })

  it.each(['0004-02-29', '0400-02-29', '1600-02-29', '2000-02-29', '2024-02-29'])('accepts the leap day %s', (date) => {
    expect(valid(date)).toBe(true)
  })

  it.each([
    ['2023-02-30', 'February 30th'],
    ['2024-02-30', 'February 30th of a leap year'],
    ['2023-02-29', 'February 29th of a common year'],
    ['1900-02-29', 'February 29th of a century not divisible by 400'],
    ['0100-02-29', 'February 29th of year 100 (not a leap year)'],
    ['0001-02-29', 'February 29th of year 1'],
    ['2023-04-31', 'April 31st'],
    ['2023-13-01', 'month 13'],
    ['2023-00-10', 'month 00'],
    ['2023-01-00', 'day 00'],
    ['2023-01-32', 'day 32'],
    ['0000-01-01', 'year 0000 (there is no year zero; PostgreSQL refuses it)'],
    ['0000-00-00', 'the zero date'],
    ['85-06-15', 'a two-digit year'],
    ['1985-6-15', 'a one-digit month'],
    ['1985-06-15T00:00:00Z', 'a timestamp'],
  ])('refuses %s (%s)', (date) => {
    expect(valid(date)).toBe(false)
  })

  it('fingerprints identities born in years 1 to 99 (Date.UTC read them as 1900 to 1999)', () => {
    const fingerprint = identityFingerprint({ nom: 'Ancien', prenoms: 'Aya', date_naissance: '0050-06-15' })
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(fingerprint).not.toBe(identityFingerprint({ nom: 'Ancien', prenoms: 'Aya', date_naissance: '1950-06-15' }))
    expect(() => identityFingerprint({ nom: 'Ancien', prenoms: 'Aya', date_naissance: '0000-06-15' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
  })

  it('round-trips a patient born in year 1 through the HASH and the cache', async () => {
    const patient = PatientSchema.parse(seedPatient({ date_naissance: '0001-01-01' }))
    expect(decodePatientHash(encodePatientHash(patient))).toEqual(patient)
    expect(decodePatientHash({ ...SEED_HASH, date_naissance: '0099-12-31' })?.date_naissance).toBe('0099-12-31')
    const { patients } = patientFixture()
    const code = randomCode()
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c, date_naissance: '0099-12-31' }))
    expect((await patients.get(code))?.date_naissance).toBe('0099-12-31')
    expect(patients.stats()).toMatchObject({ invalidRecords: 0, hits: 1 })
  })
})
