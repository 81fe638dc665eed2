import { createCache, memoryDriver } from '@cachette/core'
import { describe, expect, it, vi } from 'vitest'
import { createPatientCache } from '../src/index.js'
import { patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe('getByCode: cache-aside by code_patient', () => {
  it('loads on a miss, warms the cache, then serves hits without the loader', async () => {
    const { patients } = patientFixture()
    const code = randomCode()
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    const first = await patients.getByCode(code, load)
    const second = await patients.getByCode(code, load)
    expect(load).toHaveBeenCalledTimes(1)
    expect(second).toEqual(first)
    expect(second?.code_patient).toBe(code)
    expect(patients.stats()).toMatchObject({ hits: 1, misses: 1, loads: 1, warms: 1, hitRate: 0.5 })
  })

  it('runs one load for many concurrent callers of one code', async () => {
    const { patients } = patientFixture()
    const code = randomCode()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const load = vi.fn(async (c: string) => {
      await gate
      return seedPatient({ code_patient: c })
    })
    const callers = Array.from({ length: 20 }, () => patients.getByCode(code, load))
    release()
    const results = await Promise.all(callers)
    expect(load).toHaveBeenCalledTimes(1)
    expect(new Set(results.map((p) => p?.code_patient))).toEqual(new Set([code]))
  })

  it('gives a loader error to every waiting caller, caches nothing, and loads again next time', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    const failure = new Error('database unavailable')
    const failing = vi.fn(async () => Promise.reject(failure))
    const results = await Promise.allSettled([patients.getByCode(code, failing), patients.getByCode(code, failing)])
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ])
    expect(failing).toHaveBeenCalledTimes(1)
    expect(await driver.exists([patients.keyOf(code)])).toBe(0)
    expect((await patients.getByCode(code, async (c) => seedPatient({ code_patient: c })))?.code_patient).toBe(code)
  })

  it('returns undefined for an unknown patient and caches nothing', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    expect(await patients.getByCode(code, async () => null)).toBeUndefined()
    expect(await driver.exists([patients.keyOf(code)])).toBe(0)
  })

  it('expires entries after the TTL (1 h by default): the next read loads again', async () => {
    const { patients, clock } = patientFixture()
    const code = randomCode()
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    await patients.getByCode(code, load)
    clock.advance(3_600_000 - 1)
    await patients.getByCode(code, load)
    expect(load).toHaveBeenCalledTimes(1)
    // As Redis, an entry is gone once its TTL has fully passed.
    clock.advance(2)
    await patients.getByCode(code, load)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('takes its TTL from CACHE_TTL_PATIENT (seconds) over the ttl option', async () => {
    const { patients, driver } = patientFixture({ ttl: '1h', env: { CACHE_TTL_PATIENT: '600' } })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    expect(patients.ttlMs).toBe(600_000)
    expect(await driver.pttl(patients.keyOf(code))).toBe(600_000)
  })

  it('serves the loader when the store is down, and never fails the call', async () => {
    const { patients, driver, cache } = patientFixture()
    const code = randomCode()
    driver.down = true
    const patient = await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    expect(patient?.code_patient).toBe(code)
    expect(patients.stats()).toMatchObject({ misses: 1, loads: 1, warms: 0, errors: 1 })
    // The cache counts every failed store call of the kit: the HGETALL and the fence's claim (SET NX).
    expect(cache.stats().errors).toBe(2)
  })

  it('falls back to the database when the store hangs, within the deadline', async () => {
    const driver = memoryDriver()
    const hanging = new Proxy(driver, {
      get: (target, property, receiver) => (property === 'hgetall' ? () => new Promise(() => undefined) : Reflect.get(target, property, receiver)),
    })
    // The cache's deadline bounds the patient cache's store calls.
    const cache = createCache({ driver: hanging, env: false, deadlineMs: 30, logger: { warn: () => undefined } })
    const patients = createPatientCache({ cache, etablissement: 'e1', env: false })
    const started = performance.now()
    const patient = await patients.getByCode('CI-1', async (c) => seedPatient({ code_patient: c }))
    expect(patient?.code_patient).toBe('CI-1')
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(patients.stats().errors).toBe(1)
    expect(cache.stats().timeouts).toBe(1)
  })

  it('returns a record that fails PatientSchema without caching it (counted, logged without values)', async () => {
    const { patients, driver, logger } = patientFixture()
    const code = randomCode()
    const broken = { ...seedPatient({ code_patient: code }), date_naissance: '15/06/1985' }
    expect(await patients.getByCode(code, async () => broken)).toEqual(broken)
    expect(await driver.exists([patients.keyOf(code)])).toBe(0)
    expect(patients.stats().invalidRecords).toBe(1)
    expect(JSON.stringify(logger.lines)).not.toContain('15/06/1985')
    expect(JSON.stringify(logger.lines)).not.toContain(code)
  })

  it('refuses a code that would act as a glob over other patients, before touching the store', async () => {
    const { patients, driver } = patientFixture()
    await expect(patients.getByCode('*', async () => null)).rejects.toMatchObject({ code: 'INVALID_KEY' })
    expect(() => patients.keyOf('a:b')).toThrow(/code_patient/)
    expect(driver.calls.hgetall ?? 0).toBe(0)
  })

  it('with the kill switch, always loads and never touches the store', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, env: { CACHE_ENABLED: 'false' } })
    const patients = createPatientCache({ cache, etablissement: 'e1', env: false })
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    await patients.getByCode('CI-1', load)
    await patients.getByCode('CI-1', load)
    expect(load).toHaveBeenCalledTimes(2)
    expect(await driver.exists([patients.keyOf('CI-1')])).toBe(0)
    expect(await patients.invalidate('CI-1')).toBe('disabled')
  })
})

describe('a miss and a hit answer the same', () => {
  it('returns the loaded record as the HASH will give it back (timestamps to the second)', async () => {
    const { patients } = patientFixture()
    const code = randomCode()
    const load = async (c: string) => seedPatient({ code_patient: c, created_at: new Date('2025-01-08T10:00:00.789Z') })
    const miss = await patients.getByCode(code, load)
    const hit = await patients.getByCode(code, load)
    expect(hit).toEqual(miss)
    expect(miss?.created_at.toISOString()).toBe('2025-01-08T10:00:00.000Z')
  })
})
