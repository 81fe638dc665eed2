import { describe, expect, it, vi } from 'vitest'
import { keyContent, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

/** The cache's queue without its timer (a retry a minute away): only an explicit retry or a close applies it. */
const retriedOnlyWhenAsked = { invalidationQueue: { retryInterval: '1m' } } as const

describe("an invalidation that cannot reach the store waits in the cache's invalidation queue", () => {
  it('is queued, and the stale entry is not served from the cache meanwhile, even once the store is back', async () => {
    const { patients, cache, driver } = patientFixture({ cacheOptions: retriedOnlyWhenAsked })
    const code = randomCode()
    const key = patients.keyOf(code)
    await patients.warm(seedPatient({ code_patient: code, nom: 'ANCIEN' }))
    driver.down = true
    expect(await patients.invalidateAfterCommit(code, async () => 'committed')).toBe('committed')
    expect(patients.stats()).toMatchObject({ invalidationsQueued: 1, pendingInvalidations: 1, invalidations: 0 })
    expect(cache.stats()).toMatchObject({ invalidationsQueued: 1, invalidationsPending: 1 })
    driver.down = false
    // The stale entry is still in the store, but this process does not trust it while the invalidation waits...
    expect((await driver.hgetall(key)).nom).toBe('ANCIEN')
    expect(await patients.get(code)).toBeUndefined()
    const load = vi.fn(async (c: string) => seedPatient({ code_patient: c, nom: 'NOUVEAU' }))
    expect((await patients.getByCode(code, load))?.nom).toBe('NOUVEAU')
    // ...nor overwrites it: the queued invalidation will replace it (the one warm is the one before).
    expect((await driver.hgetall(key)).nom).toBe('ANCIEN')
    expect(patients.stats()).toMatchObject({ hits: 0, misses: 2, loads: 1, warms: 1 })

    expect(await patients.retryPendingInvalidations()).toBe(0)
    expect(await keyContent(driver, key)).toBe('tombstone')
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 1, invalidationsPending: 0 })
    expect((await patients.getByCode(code, load))?.nom).toBe('NOUVEAU')
    expect((await patients.get(code))?.nom).toBe('NOUVEAU')
    expect(load).toHaveBeenCalledTimes(2)
  })

  it("is applied by the cache's own retry once the store is back", async () => {
    const { patients, cache, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    expect(await patients.invalidate(code)).toBe('queued')
    driver.down = false
    // The fixture's cache retries every 10 ms.
    await vi.waitFor(() => expect(patients.stats().pendingInvalidations).toBe(0), { timeout: 2_000, interval: 5 })
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(cache.stats()).toMatchObject({ invalidationsQueued: 1, invalidationsApplied: 1, invalidationsDropped: 0 })
  })

  it('keeps retrying while the store stays down, and never drops it', async () => {
    const { patients, cache, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    const before = driver.calls.batch ?? 0
    expect(await patients.invalidate(code)).toBe('queued')
    // With the fence, an invalidation is one MULTI (DEL, SET of a tombstone): the first try and at least three retries.
    await vi.waitFor(() => expect((driver.calls.batch ?? 0) - before).toBeGreaterThanOrEqual(4), { timeout: 2_000, interval: 5 })
    expect(patients.stats().pendingInvalidations).toBe(1)
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 0, invalidationsDropped: 0 })
    driver.down = false
    await vi.waitFor(() => expect(patients.stats().pendingInvalidations).toBe(0), { timeout: 2_000, interval: 5 })
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(cache.stats().invalidationsApplied).toBe(1)
  })

  it('queues each code once however often it is invalidated, and applies them all', async () => {
    const { patients, cache, driver } = patientFixture({ cacheOptions: retriedOnlyWhenAsked })
    const codes = Array.from({ length: 10 }, randomCode)
    driver.down = true
    for (const code of codes) expect(await patients.invalidate(code)).toBe('queued')
    expect(await patients.invalidate(codes.slice(0, 3))).toBe('queued')
    expect(patients.stats()).toMatchObject({ invalidationsQueued: 13, pendingInvalidations: 10 })
    driver.down = false
    expect(await patients.retryPendingInvalidations()).toBe(0)
    for (const code of codes) expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 10, invalidationsPending: 0 })
  })

  it("in 'json' storage too: queued, not served meanwhile, then applied", async () => {
    const { patients, cache, driver } = patientFixture({ prefix: 'identity', storage: 'json', keyTemplate: 'patient:{id}', cacheOptions: retriedOnlyWhenAsked })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    expect(await patients.invalidate(code)).toBe('queued')
    driver.down = false
    expect(await keyContent(driver, `identity:patient:${code}`)).toBe('value')
    expect(await patients.get(code)).toBeUndefined()
    expect(await cache.get(patients.keyOf(code))).toBeUndefined()
    expect(await patients.retryPendingInvalidations()).toBe(0)
    expect(await keyContent(driver, `identity:patient:${code}`)).toBe('tombstone')
  })

  it('rejects when the queue is full: dropped, counted by the cache, logged', async () => {
    const { patients, cache, driver, logger } = patientFixture({ cacheOptions: { invalidationQueue: { retryInterval: '1m', maxSize: 2 } } })
    driver.down = true
    expect(await patients.invalidate(randomCode())).toBe('queued')
    expect(await patients.invalidate(randomCode())).toBe('queued')
    await expect(patients.invalidate(randomCode())).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(patients.stats()).toMatchObject({ invalidationsQueued: 2, pendingInvalidations: 2 })
    expect(cache.stats()).toMatchObject({ invalidationsDropped: 1, invalidationsPending: 2 })
    expect(logger.lines.some((line) => /queue is full/.test(line.message))).toBe(true)
  })

  it('rejects when the cache has no invalidation queue (invalidationQueue: false)', async () => {
    const { patients, cache, driver } = patientFixture({ cacheOptions: { invalidationQueue: false } })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    await expect(patients.invalidate(code)).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(patients.stats()).toMatchObject({ invalidations: 0, invalidationsQueued: 0, pendingInvalidations: 0 })
    expect(cache.stats().invalidationsQueued).toBe(0)
    driver.down = false
    // Nothing was kept for later: the caller must try again.
    expect(await keyContent(driver, patients.keyOf(code))).toBe('hash')
    expect(await patients.invalidate(code)).toBe('invalidated')
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
  })
})

describe('closing', () => {
  it("patients.close() retries the cache's queue once: what the store takes is applied", async () => {
    const { patients, cache, driver } = patientFixture({ cacheOptions: retriedOnlyWhenAsked })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    await patients.invalidate(code)
    driver.down = false
    await patients.close()
    await patients.close()
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(patients.stats().pendingInvalidations).toBe(0)
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 1, invalidationsDropped: 0 })
  })

  it('cache.close() makes the last attempt and counts what could not be applied in cache.stats()', async () => {
    const { patients, cache, driver, logger } = patientFixture({ cacheOptions: retriedOnlyWhenAsked })
    driver.down = true
    await patients.invalidate(randomCode())
    await patients.close()
    expect(patients.stats().pendingInvalidations).toBe(1)
    expect(cache.stats().invalidationsDropped).toBe(0)
    await cache.close()
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 0, invalidationsDropped: 1 })
    expect(logger.lines.some((line) => /before close/.test(line.message))).toBe(true)
  })

  it('cache.close() delivers what it can when the store is back', async () => {
    const { patients, cache, driver } = patientFixture({ cacheOptions: retriedOnlyWhenAsked })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    driver.down = true
    await patients.invalidate(code)
    driver.down = false
    await cache.close()
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
    expect(cache.stats()).toMatchObject({ invalidationsApplied: 1, invalidationsDropped: 0 })
  })
})
