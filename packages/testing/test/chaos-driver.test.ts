import { DriverError, memoryDriver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { chaosDriver } from '../src/index.js'

describe('chaos driver', () => {
  it('passes calls through while healthy, keeping the inner name and capabilities', async () => {
    const inner = memoryDriver()
    const driver = chaosDriver(inner)
    expect(driver.name).toBe(inner.name)
    expect(driver.capabilities).toEqual(inner.capabilities)
    await driver.set('k', 'v')
    expect(await driver.get('k')).toBe('v')
    expect(driver.chaos.calls).toBe(2)
  })

  it('fails every call at rate 1 with a DriverError, and none at rate 0', async () => {
    const driver = chaosDriver(memoryDriver(), { failureRate: 1 })
    await expect(driver.get('k')).rejects.toBeInstanceOf(DriverError)
    await expect(driver.get('k')).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    driver.chaos.heal()
    expect(await driver.get('k')).toBeNull()
    expect(driver.chaos.failures).toBe(2)
  })

  it('fails about the given fraction of calls (reproducibly with a seeded random)', async () => {
    let seed = 42
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const driver = chaosDriver(memoryDriver(), { failureRate: 0.3, random })
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => driver.get('k')))
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length
    expect(failed).toBeGreaterThan(200)
    expect(failed).toBeLessThan(400)
  })

  it('affects only the listed methods', async () => {
    const driver = chaosDriver(memoryDriver(), { failureRate: 1, methods: ['delete'] })
    await driver.set('k', 'v')
    await expect(driver.delete(['k'])).rejects.toBeInstanceOf(DriverError)
    expect(await driver.get('k')).toBe('v')
  })

  it('delays calls, and hangs them', async () => {
    const driver = chaosDriver(memoryDriver(), { delayMs: 30 })
    const started = performance.now()
    await driver.get('k')
    expect(performance.now() - started).toBeGreaterThanOrEqual(29)
    driver.chaos.set({ hang: true })
    const outcome = await Promise.race([driver.get('k').then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 50))])
    expect(outcome).toBe('still waiting')
    expect(driver.chaos.delayed).toBe(2)
  })

  it("affects scan through its iterator's next()", async () => {
    const driver = chaosDriver(memoryDriver())
    await driver.set('a', '1')
    const keys: string[] = []
    for await (const key of driver.scan('*')) keys.push(key)
    expect(keys).toEqual(['a'])
    driver.chaos.set({ failureRate: 1 })
    const iterator = driver.scan('*')[Symbol.asyncIterator]()
    await expect(iterator.next()).rejects.toBeInstanceOf(DriverError)
  })

  it('rejects rates outside [0, 1] and negative delays', () => {
    expect(() => chaosDriver(memoryDriver(), { failureRate: 2 })).toThrow(/failureRate/)
    expect(() => chaosDriver(memoryDriver(), { delayMs: -1 })).toThrow(/delayMs/)
  })
})
