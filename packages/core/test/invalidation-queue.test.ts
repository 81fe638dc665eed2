import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { DriverError, defineKey, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'

const patientKey = defineKey('patient:{id}', { tags: ({ id }) => [`patient:${String(id)}`] })

/** A cache on a store we can break and heal; retries every 20 ms unless told otherwise. */
function queueCache(options: Parameters<typeof testCache>[0] = {}) {
  const inner = memoryDriver()
  const driver = chaosDriver(inner)
  const { cache, logger } = testCache({ driver, prefix: 'q', invalidationQueue: { retryInterval: 20 }, ...options })
  return { cache, driver, inner, logger }
}

describe('invalidation queue', () => {
  it('a failed invalidation rejects (by default), is queued, and is applied once the store is back', async () => {
    const { cache, driver, inner } = queueCache()
    await cache.set(patientKey({ id: 1 }), 'old address')
    driver.chaos.set({ failureRate: 1 })
    await expect(cache.invalidate(patientKey({ id: 1 }))).rejects.toBeInstanceOf(DriverError)
    expect(cache.stats()).toMatchObject({ invalidationsQueued: 1, invalidationsPending: 1 })
    expect((await cache.health()).pendingInvalidations).toBe(1)
    driver.chaos.heal()
    await expect.poll(() => cache.stats().invalidationsPending).toBe(0)
    expect(await inner.get('q:patient:1')).toMatch(/^@cf /) // the entry is gone, a fence tombstone in its place
    expect(cache.stats().invalidationsApplied).toBe(1)
  })

  it("with whenQueued: 'resolve', the call resolves once the invalidation is queued", async () => {
    const { cache, driver } = queueCache({ invalidationQueue: { whenQueued: 'resolve', retryInterval: 20 } })
    driver.chaos.set({ failureRate: 1 })
    expect(await cache.invalidate(patientKey({ id: 1 }))).toBe(0)
    expect(await cache.deletePattern(patientKey.pattern({}))).toBe(0)
    expect(await cache.invalidateTags(['patient:1'])).toBeUndefined()
    expect(cache.stats().invalidationsPending).toBe(3)
  })

  it('while an invalidation is pending, this process reads the entries it covers as misses', async () => {
    const { cache, driver } = queueCache({ invalidationQueue: { retryInterval: '1h' } })
    await cache.set(patientKey({ id: 1 }), 'old')
    await cache.set(patientKey({ id: 2 }), 'old')
    await cache.set('plain', 'old')
    driver.chaos.set({ failureRate: 1 })
    await cache.invalidate(patientKey({ id: 1 })).catch(() => undefined)
    await cache.invalidateTags(['patient:2']).catch(() => undefined)
    await cache.deletePattern('pl*').catch(() => undefined)
    // The store is back but the retry has not run yet: the old entries are still there.
    driver.chaos.set({ methods: ['delete', 'set'], failureRate: 1 })
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.get(patientKey({ id: 2 }))).toBeUndefined()
    expect(await cache.get('plain')).toBeUndefined()
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => 'new')).toBe('new')
  })

  it('de-duplicates: the same key invalidated many times is queued once', async () => {
    const { cache, driver } = queueCache({ invalidationQueue: { retryInterval: '1h' } })
    driver.chaos.set({ failureRate: 1 })
    for (let i = 0; i < 5; i++) await cache.invalidate([patientKey({ id: 1 }), patientKey({ id: 2 })]).catch(() => undefined)
    for (let i = 0; i < 3; i++) await cache.invalidateTags(['a', 'b']).catch(() => undefined)
    expect(cache.stats()).toMatchObject({ invalidationsPending: 4, invalidationsQueued: 16 })
  })

  it('is bounded: past maxSize an invalidation is dropped, counted, logged, and the call rejects whatever whenQueued says', async () => {
    const { cache, driver, logger } = queueCache({ invalidationQueue: { maxSize: 2, whenQueued: 'resolve', retryInterval: '1h' } })
    driver.chaos.set({ failureRate: 1 })
    expect(await cache.invalidate(patientKey({ id: 1 }))).toBe(0)
    expect(await cache.invalidate(patientKey({ id: 2 }))).toBe(0)
    await expect(cache.invalidate(patientKey({ id: 3 }))).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(cache.stats()).toMatchObject({ invalidationsPending: 2, invalidationsDropped: 1 })
    expect(logger.lines.some((line) => line.message.includes('queue is full'))).toBe(true)
  })

  it('applies queued patterns and tags too', async () => {
    const { cache, driver, inner } = queueCache()
    await cache.set(patientKey({ id: 1 }), 'a')
    await cache.set(patientKey({ id: 2 }), 'b')
    driver.chaos.set({ failureRate: 1 })
    await cache.deletePattern(patientKey.pattern({ id: 1 })).catch(() => undefined)
    await cache.invalidateTags(['patient:2']).catch(() => undefined)
    driver.chaos.heal()
    await expect.poll(() => cache.stats().invalidationsPending).toBe(0)
    expect(await inner.get('q:patient:1')).toMatch(/^@cf /) // the entry is gone, a fence tombstone in its place
    expect(await cache.get(patientKey({ id: 2 }))).toBeUndefined()
  })

  it('retries as soon as the circuit breaker closes, without waiting for the timer', async () => {
    const clock = createFakeClock()
    const inner = memoryDriver({ clock })
    const driver = chaosDriver(inner)
    const { cache } = testCache({
      driver,
      clock,
      prefix: 'q',
      circuitBreaker: { failureThreshold: 1, openDuration: '5s' },
      invalidationQueue: { retryInterval: '1h' },
    })
    await cache.set('k', 'old')
    driver.chaos.set({ failureRate: 1 })
    await cache.get('other')
    await expect(cache.invalidate('k')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' })
    driver.chaos.heal()
    clock.advance(5_000)
    await cache.get('other') // the probe: closes the circuit
    await expect.poll(() => cache.stats().invalidationsPending).toBe(0)
    expect(await inner.get('q:k')).toMatch(/^@cf /) // the entry is gone, a fence tombstone in its place
  })

  it('a successful write triggers a retry', async () => {
    const { cache, driver, inner } = queueCache({ invalidationQueue: { retryInterval: '1h' } })
    await cache.set('k', 'old')
    driver.chaos.set({ failureRate: 1 })
    await cache.invalidate('k').catch(() => undefined)
    driver.chaos.heal()
    await new Promise((resolve) => setTimeout(resolve, 120))
    await cache.set('unrelated', 1)
    await expect.poll(() => cache.stats().invalidationsPending).toBe(0)
    expect(await inner.get('q:k')).toMatch(/^@cf /) // the entry is gone, a fence tombstone in its place
  })

  it('close() makes one last try; what it cannot apply is counted as dropped and logged', async () => {
    const { cache, driver, logger } = queueCache({ invalidationQueue: { retryInterval: '1h' } })
    driver.chaos.set({ failureRate: 1, methods: ['delete', 'batch'] })
    await cache.invalidate('k').catch(() => undefined)
    await cache.close()
    expect(cache.stats()).toMatchObject({ invalidationsDropped: 1 })
    expect(logger.lines.some((line) => line.message.includes('could not be applied before close'))).toBe(true)
  })

  it('invalidationQueue: false only reports the failure to the caller', async () => {
    const { cache, driver } = queueCache({ invalidationQueue: false })
    driver.chaos.set({ failureRate: 1 })
    await expect(cache.invalidate('k')).rejects.toBeInstanceOf(DriverError)
    expect(cache.stats()).toMatchObject({ invalidationsQueued: 0, invalidationsPending: 0 })
  })

  it('does not queue what is not a store outage (a closed cache)', async () => {
    const { cache } = queueCache()
    await cache.close()
    await expect(cache.invalidate('k')).rejects.toMatchObject({ code: 'CLOSED' })
    expect(cache.stats().invalidationsQueued).toBe(0)
  })
})
