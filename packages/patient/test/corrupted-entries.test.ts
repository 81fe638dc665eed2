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

  it("a well-formed HASH naming another patient is not served for this code: a miss, counted, deleted, logged without values", async () => {
    const { patients, driver, logger } = patientFixture()
    const code = randomCode()
    const other = randomCode()
    const key = patients.keyOf(code)
    // Another patient's complete record under this code's key (a bug, or a hostile writer of the shared store).
    await driver.hset(key, { ...SEED_HASH, code_patient: other, nom: 'AUTRE', telephone_principal: '+225 05 00 00 00 99' })
    expect(await patients.get(code)).toBeUndefined()
    expect(patients.stats()).toMatchObject({ decodeFailures: 1, misses: 1, hits: 0 })
    await vi.waitFor(async () => expect(await driver.exists([key])).toBe(0))
    const logged = JSON.stringify(logger.lines)
    expect(logged).toContain("another patient's record")
    for (const value of [code, other, 'AUTRE', '+225 05 00 00 00 99', key]) expect(logged).not.toContain(value)

    // With a loader: the database's record is served and written back under the right code.
    await driver.hset(key, { ...SEED_HASH, code_patient: other })
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    expect((await patients.getByCode(code, load))?.code_patient).toBe(code)
    expect(load).toHaveBeenCalledTimes(1)
    expect((await driver.hgetall(key)).code_patient).toBe(code)
  })

  it("in 'json' storage too, an entry naming another patient is a miss and is deleted", async () => {
    const { patients, cache, logger } = patientFixture({ prefix: 'identity', storage: 'json', keyTemplate: 'patient:{id}' })
    const code = randomCode()
    await cache.set(`patient:${code}`, seedPatient({ code_patient: 'CI-AUTRE-1' }), { ttl: 60_000 })
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    expect((await patients.getByCode(code, load))?.code_patient).toBe(code)
    expect(load).toHaveBeenCalledTimes(1)
    expect(patients.stats().decodeFailures).toBe(1)
    expect(JSON.stringify(logger.lines)).not.toContain('CI-AUTRE-1')
    // The cache's getOrSet writes after answering.
    await vi.waitFor(async () => expect((await patients.get(code))?.code_patient).toBe(code))
  })

  it('a loaded record of another code is returned but not cached under the code asked for', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    const patient = await patients.getByCode(code, async () => seedPatient({ code_patient: 'CI-AUTRE-2' }))
    expect(patient?.code_patient).toBe('CI-AUTRE-2')
    expect(await driver.exists([patients.keyOf(code)])).toBe(0)
    expect(patients.stats()).toMatchObject({ invalidRecords: 1, warms: 0 })
  })
})
