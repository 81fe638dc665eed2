import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCache, InvalidOptionsError, memoryDriver, type Driver } from '../src/index.js'
import { randomPrefix, recordingLogger } from './support/cache.js'

/** Spies on close() of every memory driver (they share one prototype). */
function spyOnMemoryClose() {
  const prototype = Object.getPrototypeOf(memoryDriver()) as Pick<Driver, 'close'>
  return vi.spyOn(prototype, 'close')
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('close() closes only what the cache opened', () => {
  it('two caches over one driver: closing one leaves the other and the driver working', async () => {
    const driver = memoryDriver()
    const identity = createCache({ driver, prefix: randomPrefix(), env: false })
    const lists = createCache({ driver, prefix: randomPrefix(), env: false })
    await identity.set('k', 1)
    await lists.set('k', 2)

    await identity.close()

    expect(await identity.get('k')).toBeUndefined()
    await expect(identity.invalidate('k')).rejects.toMatchObject({ code: 'CLOSED' })
    expect(await lists.get('k')).toBe(2)
    expect(await lists.set('k', 3)).toBe(true)
    expect(await lists.getOrSet('other', () => 'loaded')).toBe('loaded')
    expect(await lists.getOrSet('other', () => 'loaded again')).toBe('loaded')
    await lists.invalidate('k')
    expect(await lists.get('k')).toBeUndefined()
    expect(await lists.health()).toMatchObject({ ok: true })
    expect(lists.stats().errors).toBe(0)
    await expect(driver.ping()).resolves.toBeUndefined()

    await lists.close()
    await expect(driver.ping()).resolves.toBeUndefined()
    await driver.close()
    await expect(driver.ping()).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('the default memoryDriver() (no driver option) is closed by close()', async () => {
    const close = spyOnMemoryClose()
    const cache = createCache({ env: false })
    await cache.set('k', 1)
    await cache.close()
    expect(close).toHaveBeenCalledTimes(1)
  })

  it('close({ driver: false }) leaves even the default memoryDriver() open', async () => {
    const close = spyOnMemoryClose()
    const cache = createCache({ env: false })
    await cache.close({ driver: false })
    expect(close).not.toHaveBeenCalled()
  })

  it('close({ driver: true }) closes a driver passed in: its next call rejects with CLOSED', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, prefix: randomPrefix(), env: false })
    await cache.set('k', 1)
    await cache.close({ driver: true })
    await expect(driver.get('k')).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('close() and close({}) leave a driver passed in open', async () => {
    const driver = memoryDriver()
    const first = createCache({ driver, env: false })
    const second = createCache({ driver, env: false })
    await first.close()
    await second.close({})
    await expect(driver.set('k', '1')).resolves.toBe(true)
    await driver.close()
  })

  it('refuses a bad argument with an InvalidOptionsError, and stays open', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, prefix: randomPrefix(), env: false })
    const bad: unknown[] = [null, true, 'driver', 1, [], () => undefined, { driver: 'yes' }, { driver: 1 }, { driver: null }, { drivers: true }]
    for (const options of bad) {
      const refusal = cache.close(options as never)
      await expect(refusal).rejects.toBeInstanceOf(InvalidOptionsError)
      await expect(refusal).rejects.toThrow(/cache\.close\(\) options are invalid/)
    }
    await expect(cache.close({ driver: 'yes' } as never)).rejects.toThrow(/driver: expected true or false/)
    await expect(cache.close({ drivers: true } as never)).rejects.toThrow(/unknown option 'drivers'/)
    expect(await cache.set('k', 1)).toBe(true)
    expect(await cache.health()).toMatchObject({ ok: true })
    await cache.close({ driver: true })
  })

  it('close() twice is harmless; a later close({ driver: true }) still closes the driver', async () => {
    const driver = memoryDriver()
    const logger = recordingLogger()
    const cache = createCache({ driver, prefix: randomPrefix(), env: false, logger })
    await Promise.all([cache.close(), cache.close()])
    await cache.close()
    await expect(driver.ping()).resolves.toBeUndefined()
    await cache.close({ driver: true })
    await cache.close({ driver: true })
    await cache.close()
    await expect(driver.ping()).rejects.toMatchObject({ code: 'CLOSED' })
    expect(await cache.health()).toMatchObject({ ok: false, error: 'CLOSED' })
    expect(logger.lines).toEqual([])
  })

  it('closes the driver once, however many calls ask', async () => {
    const inner = memoryDriver()
    const order: string[] = []
    const driver = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (property === 'close') {
          return async () => {
            order.push('close')
            await target.close()
          }
        }
        return value
      },
    })
    const cache = createCache({ driver, prefix: randomPrefix(), env: false })
    await Promise.all([cache.close({ driver: true }), cache.close({ driver: true }), cache.close()])
    expect(order).toEqual(['close'])
  })
})
