import { describe, expect, it, vi } from 'vitest'
import { keyContent, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe("'json' storage (seed 001's identity:patient:<id>)", () => {
  it('stores one Cachette entry below the cache prefix, for the TTL, read back with Dates', async () => {
    const { patients, driver, cache } = patientFixture({ prefix: 'identity', storage: 'json', keyTemplate: 'patient:{id}', ttl: '10m' })
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c }))
    const first = await patients.getByCode('42', load)
    const second = await patients.getByCode('42', load)
    expect(load).toHaveBeenCalledTimes(1)
    expect(second).toEqual(first)
    expect(second?.created_at).toBeInstanceOf(Date)
    expect(await driver.pttl('identity:patient:42')).toBe(600_000)
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 })
  })

  it('invalidates after commit and retries through the cache when the store is down', async () => {
    const { patients, driver } = patientFixture({ prefix: 'identity', storage: 'json', keyTemplate: 'patient:{id}' })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    await patients.invalidateAfterCommit(code, async () => undefined)
    expect(patients.stats().pendingInvalidations).toBe(1)
    driver.down = false
    expect(await patients.retryPendingInvalidations()).toBe(0)
    // The cache's fence: the entry is replaced by a tombstone.
    expect(await keyContent(driver, `identity:patient:${code}`)).toBe('tombstone')
  })

  it('a corrupted JSON entry is a miss, deleted by the cache', async () => {
    const { patients, driver, cache } = patientFixture({ prefix: 'identity', storage: 'json', keyTemplate: 'patient:{id}' })
    await driver.set('identity:patient:7', '@c1\n{"nom":42}', { ttlMs: 60_000 })
    const patient = await patients.getByCode('7', async (c) => seedPatient({ code_patient: c }))
    expect(patient?.code_patient).toBe('7')
    expect(cache.stats().decodeFailures).toBe(1)
  })
})
