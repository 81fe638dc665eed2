import { describe, expect, it, vi } from 'vitest'
import { keyContent, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe('an invalidation that cannot reach the store', () => {
  it('is queued, not served from meanwhile, and retried until it succeeds', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code, nom: 'ANCIEN' }))
    driver.down = true
    expect(await patients.invalidateAfterCommit(code, async () => 'committed')).toBe('committed')
    expect(patients.stats()).toMatchObject({ invalidationsQueued: 1, pendingInvalidations: 1, invalidations: 0 })
    driver.down = false
    // The stale entry is still in the store, but this process does not trust it while the retry waits.
    const read = await patients.getByCode(code, async (c) => seedPatient({ code_patient: c, nom: 'NOUVEAU' }))
    expect(read?.nom).toBe('NOUVEAU')
    // The automatic retry (5 ms, then doubling up to 20 ms in the fixture) replaces it by a tombstone.
    await vi.waitFor(() => expect(patients.stats().pendingInvalidations).toBe(0), { timeout: 2_000, interval: 5 })
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(patients.stats().invalidations).toBe(1)
  })

  it('keeps retrying with a bounded backoff while the store stays down, and never drops it', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    expect(await patients.invalidate(code)).toBe('queued')
    await vi.waitFor(() => expect(patients.stats().invalidationRetryFailures).toBeGreaterThanOrEqual(4), { timeout: 2_000, interval: 5 })
    expect(patients.stats().pendingInvalidations).toBe(1)
    driver.down = false
    expect(await patients.retryPendingInvalidations()).toBe(0)
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
  })

  it('probes with one invalidation while the store is down instead of retrying them all', async () => {
    const { patients, driver } = patientFixture({ invalidationRetry: { initialDelayMs: 5, maxDelayMs: 5 } })
    const codes = Array.from({ length: 10 }, randomCode)
    driver.down = true
    for (const code of codes) await patients.invalidate(code)
    // With the fence, an invalidation is a SET of a tombstone.
    const before = driver.calls.set ?? 0
    await vi.waitFor(() => expect(patients.stats().invalidationRetryFailures).toBeGreaterThanOrEqual(3), { timeout: 2_000, interval: 2 })
    const retries = (driver.calls.set ?? 0) - before
    expect(retries).toBe(patients.stats().invalidationRetryFailures)
    expect(patients.stats().pendingInvalidations).toBe(10)
    driver.down = false
    await patients.retryPendingInvalidations()
    expect(patients.stats()).toMatchObject({ pendingInvalidations: 0, invalidations: 10 })
  })

  it('refuses beyond maxPending, counted and logged (memory stays bounded)', async () => {
    const { patients, driver, logger } = patientFixture({ invalidationRetry: { initialDelayMs: 1_000, maxDelayMs: 1_000, maxPending: 2 } })
    driver.down = true
    for (let i = 0; i < 3; i++) await patients.invalidate(randomCode())
    expect(patients.stats()).toMatchObject({ pendingInvalidations: 2, invalidationsDropped: 1 })
    expect(logger.lines.some((line) => /queue is full/.test(line.message))).toBe(true)
    await patients.close()
  })

  it('close() makes a last attempt and reports what could not be delivered', async () => {
    const { patients, driver, logger } = patientFixture({ invalidationRetry: { initialDelayMs: 1_000, maxDelayMs: 1_000 } })
    driver.down = true
    await patients.invalidate(randomCode())
    await patients.close()
    expect(patients.stats()).toMatchObject({ pendingInvalidations: 0, invalidationsDropped: 1 })
    expect(logger.lines.some((line) => /before close/.test(line.message))).toBe(true)
  })

  it('close() delivers what it can when the store is back', async () => {
    const { patients, driver } = patientFixture({ invalidationRetry: { initialDelayMs: 1_000, maxDelayMs: 1_000 } })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    await patients.invalidate(code)
    driver.down = false
    await patients.close()
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(patients.stats()).toMatchObject({ invalidations: 1, invalidationsDropped: 0 })
  })

  it('is abandoned (counted) once the entry TTL has passed: the stale entry expired by itself', async () => {
    const { patients, driver } = patientFixture({ ttl: 30, invalidationRetry: { initialDelayMs: 5, maxDelayMs: 5 } })
    driver.down = true
    await patients.invalidate(randomCode())
    await vi.waitFor(() => expect(patients.stats().invalidationsExpired).toBe(1), { timeout: 2_000, interval: 5 })
    expect(patients.stats().pendingInvalidations).toBe(0)
  })
})
