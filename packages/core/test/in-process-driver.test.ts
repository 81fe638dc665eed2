import { describe, expect, it } from 'vitest'
import { DeadlineQueue } from '../src/store-calls/deadline.js'
import { DeadlineExceededError, memoryDriver } from '../src/index.js'
import { isInProcessDriver } from '../src/memory/in-process.js'
import { testCache } from './support/cache.js'
import { hangingDriver } from './support/drivers.js'

describe('deadlines skipped only for the memory driver itself', () => {
  it('recognizes instances memoryDriver() created, and not a wrapper around one', async () => {
    const driver = memoryDriver()
    expect(isInProcessDriver(driver)).toBe(true)
    expect(isInProcessDriver(new Proxy(driver, {}))).toBe(false)
    expect(isInProcessDriver(hangingDriver(driver))).toBe(false)
    expect(isInProcessDriver({ ...driver })).toBe(false)
    await driver.close()
  })

  it('a skipping queue hands the promise back as is; a normal one still rejects a hung call', async () => {
    const pending = Promise.resolve(42)
    expect(new DeadlineQueue(20, true).run(pending, 'get')).toBe(pending)
    await expect(new DeadlineQueue(20).run(new Promise<never>(() => undefined), 'get')).rejects.toBeInstanceOf(DeadlineExceededError)
  })

  it('a hung wrapper around a memory driver still degrades to the loader within the deadline', async () => {
    const deadlineMs = 50
    const { cache } = testCache({ driver: hangingDriver(memoryDriver()), deadlineMs })
    const started = performance.now()
    expect(await cache.getOrSet('patient:1', () => 'from loader')).toBe('from loader')
    expect(performance.now() - started).toBeLessThan(deadlineMs + 1_000)
    expect(cache.stats().timeouts).toBeGreaterThanOrEqual(1)
    await cache.close()
  })

  it('the memory driver itself serves hits and misses as before', async () => {
    const { cache } = testCache({ driver: memoryDriver(), deadlineMs: 50 })
    expect(await cache.getOrSet('patient:2', () => ({ id: 2 }))).toEqual({ id: 2 })
    expect(await cache.getOrSet('patient:2', () => ({ id: -1 }))).toEqual({ id: 2 })
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, timeouts: 0 })
    await cache.close()
  })
})
