import { describe, expect, it } from 'vitest'
import { DeadlineExceededError, defineKey, DriverError, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'
import { delayedDriver, hangingDriver, throwingDriver } from './support/drivers.js'

const patientKey = defineKey('patient:{id}', { tags: ({ id }) => [`patient:${String(id)}`] })

describe('a driver that throws on every call', () => {
  const setup = () => testCache({ driver: throwingDriver(memoryDriver()) })

  it('reads degrade to misses, counted and logged', async () => {
    const { cache, logger } = setup()
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.has(patientKey({ id: 1 }))).toBe(false)
    expect(cache.stats()).toMatchObject({ misses: 1, errors: 2 })
    expect(logger.lines.map((line) => line.fields)).toContainEqual(
      expect.objectContaining({ operation: 'get', code: 'DRIVER_FAILURE', template: 'patient:{id}', driver: 'memory' }),
    )
  })

  it('getOrSet serves the loader value to every caller', async () => {
    const { cache } = setup()
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet(patientKey({ id: 1 }), async () => ({ id: 1 }))))
    expect(results.every((result) => result === results[0])).toBe(true)
    expect(results[0]).toEqual({ id: 1 })
    expect(cache.stats().loaderCalls).toBe(1)
  })

  it('set resolves false', async () => {
    const { cache } = setup()
    expect(await cache.set(patientKey({ id: 1 }), { id: 1 })).toBe(false)
    expect(await cache.set('plain', 1)).toBe(false)
  })

  it('invalidations reject with a DriverError so the caller can retry', async () => {
    const { cache } = setup()
    await expect(cache.invalidate(patientKey({ id: 1 }))).rejects.toBeInstanceOf(DriverError)
    await expect(cache.deletePattern(patientKey.pattern({}))).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    await expect(cache.invalidateTags(['patient:1'])).rejects.toMatchObject({ code: 'DRIVER_FAILURE', cause: expect.any(Error) })
  })

  it('health reports the failure without throwing', async () => {
    const { cache } = setup()
    expect(await cache.health()).toMatchObject({ ok: false, enabled: true, error: 'DRIVER_FAILURE' })
  })

  it('a driver that throws synchronously is handled the same way', async () => {
    const inner = memoryDriver()
    const syncThrowing = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return () => {
          throw new Error('sync failure')
        }
      },
    })
    const { cache } = testCache({ driver: syncThrowing })
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 1)).toBe(1)
    expect(await cache.set('k', 1)).toBe(false)
    await expect(cache.invalidate('k')).rejects.toBeInstanceOf(DriverError)
  })
})

describe('a driver that never answers', () => {
  const deadlineMs = 50
  const loaderMs = 30
  // Generous: the assertion is "bounded by the deadline", not a benchmark.
  const boundMs = deadlineMs + loaderMs + 400

  it('every getOrSet caller gets the loader value within deadline + loader time', async () => {
    const { cache } = testCache({ driver: hangingDriver(memoryDriver()), deadlineMs })
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        cache.getOrSet(patientKey({ id: 7 }), async () => {
          await new Promise((resolve) => setTimeout(resolve, loaderMs))
          return { id: 7 }
        }),
      ),
    )
    const elapsedMs = performance.now() - started
    expect(results.every((result) => result === results[0])).toBe(true)
    expect(results[0]).toEqual({ id: 7 })
    expect(elapsedMs).toBeLessThan(boundMs)
    expect(cache.stats().timeouts).toBeGreaterThanOrEqual(1)
  })

  it('get resolves undefined after the deadline; invalidate rejects with DeadlineExceededError', async () => {
    const { cache } = testCache({ driver: hangingDriver(memoryDriver()), deadlineMs })
    const started = performance.now()
    expect(await cache.get('k')).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(deadlineMs + 400)
    await expect(cache.invalidate('k')).rejects.toBeInstanceOf(DeadlineExceededError)
    await expect(cache.deletePattern('*')).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(await cache.set('k', 1)).toBe(false)
    expect(await cache.health()).toMatchObject({ ok: false, error: 'DEADLINE_EXCEEDED' })
    await cache.close()
  })

  it('a slow write after a successful read does not hold the caller past the deadline', async () => {
    // Reads answer at once; every call is delayed past the deadline only for writes.
    const inner = memoryDriver()
    const slowWrites = delayedDriver(inner, 1_000)
    const driver = new Proxy(inner, {
      get: (target, property, receiver) => (property === 'set' ? Reflect.get(slowWrites, property) : Reflect.get(target, property, receiver)),
    })
    const { cache } = testCache({ driver, deadlineMs })
    const started = performance.now()
    expect(await cache.getOrSet('k', () => 'value')).toBe('value')
    expect(performance.now() - started).toBeLessThan(deadlineMs + 400)
  })
})
