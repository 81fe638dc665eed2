import { describe, expect, it, vi } from 'vitest'
import { SEED_HASH, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe('a corrupted or partial patient entry', () => {
  it('is a miss: deleted, counted, reloaded from the database, never thrown', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    const key = patients.keyOf(code)
    const { prenoms, ...partial } = SEED_HASH
    await driver.hset(key, { ...partial, code_patient: code })
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    const patient = await patients.getByCode(code, load)
    expect(patient?.prenoms).toBe('Jean Baptiste Marie')
    expect(load).toHaveBeenCalledTimes(1)
    expect(patients.stats()).toMatchObject({ decodeFailures: 1, misses: 1 })
    // Rewritten whole by the warm after the load.
    expect((await driver.hgetall(key)).prenoms).toBe('Jean Baptiste Marie')
  })

  it('is deleted even when nobody reloads it (get without a loader)', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    const key = patients.keyOf(code)
    await driver.hset(key, { ...SEED_HASH, est_assure: 'oui' })
    expect(await patients.get(code)).toBeUndefined()
    await vi.waitFor(async () => expect(await driver.exists([key])).toBe(0))
  })

  it('a key of another type under the patient name (a plain string) is a miss, deleted', async () => {
    const { patients, driver, logger } = patientFixture()
    const code = randomCode()
    const key = patients.keyOf(code)
    await driver.set(key, '{"nom":"KOUADIO"}')
    const patient = await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    expect(patient?.nom).toBe('KOUADIO')
    expect(patients.stats().decodeFailures).toBe(1)
    expect(Object.keys(await driver.hgetall(key))).toContain('nom')
    expect(JSON.stringify(logger.lines)).not.toContain('KOUADIO')
  })

  it('an empty HASH (missing key) is a plain miss, not a decode failure', async () => {
    const { patients } = patientFixture()
    expect(await patients.get(randomCode())).toBeUndefined()
    expect(patients.stats()).toMatchObject({ misses: 1, decodeFailures: 0 })
  })
})
