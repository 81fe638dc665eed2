import { describe, expect, it } from 'vitest'
import { hasCapabilities, isCacheError, memoryDriver, requireCapabilities, type BaseDriver, type Driver, type DriverCapabilities } from '../src/index.js'
import { readBytes } from '../src/driver/driver-capabilities.js'

/** The memory driver seen with other capabilities and, optionally, without some methods. */
function variant(capabilities: Partial<DriverCapabilities>, without: readonly string[] = []): Driver {
  const inner = memoryDriver()
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'capabilities') return capabilities
      if (typeof property === 'string' && without.includes(property)) return undefined
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

function refusal(call: () => unknown): { code: unknown; message: string } {
  try {
    call()
  } catch (error) {
    return { code: isCacheError(error) ? error.code : error, message: (error as Error).message }
  }
  throw new Error('expected a throw')
}

describe('hasCapabilities and requireCapabilities', () => {
  it('accept the memory driver for every group, returning the same object', () => {
    const driver = memoryDriver()
    const all = ['binary', 'counters', 'inspection', 'hashes', 'sets', 'sortedSets', 'pubsub', 'batch', 'crossSlotBatch', 'compareAndDelete', 'compareAndSet'] as const
    expect(hasCapabilities(driver, all)).toBe(true)
    expect(requireCapabilities(driver, all, '@acme/everything')).toBe(driver)
  })

  it('name every missing capability once, in the order asked, with the consumer and the driver', () => {
    const driver = variant({ binary: false, hashes: false, sets: true, sortedSets: false, pubsub: false, batch: true, crossSlotBatch: false, compareAndDelete: true })
    expect(refusal(() => requireCapabilities(driver, ['hashes', 'sets', 'crossSlotBatch', 'hashes', 'batch'], '@acme/messaging'))).toEqual({
      code: 'MISSING_CAPABILITY',
      message: "[@acme/messaging] the 'memory' driver lacks what this package needs: hashes, crossSlotBatch",
    })
  })

  it('refuse a group announced without its methods', () => {
    const driver = variant({ ...memoryDriver().capabilities }, ['hset'])
    expect(hasCapabilities(driver, ['hashes'])).toBe(false)
    expect(hasCapabilities(driver, ['sets'])).toBe(true)
  })

  it('take counters and inspection, left out, from the methods (drivers older than those flags)', () => {
    const legacy = { binary: true, hashes: true, sets: true, sortedSets: true, pubsub: true, batch: true, crossSlotBatch: true, compareAndDelete: true }
    expect(hasCapabilities(variant(legacy), ['counters', 'inspection'])).toBe(true)
    expect(hasCapabilities(variant(legacy, ['pttl']), ['inspection'])).toBe(false)
    expect(hasCapabilities(variant({ ...legacy, counters: false }), ['counters'])).toBe(false)
  })

  it('never imply the other flags: compareAndSet left out is false', () => {
    const driver = variant({ binary: true, hashes: true, sets: true, sortedSets: true, pubsub: true, batch: true, crossSlotBatch: true, compareAndDelete: true })
    expect(hasCapabilities(driver, ['compareAndSet'])).toBe(false)
  })

  it('treat an unknown name (a JavaScript caller) as missing', () => {
    const driver = memoryDriver()
    expect(hasCapabilities(driver, ['toString' as never])).toBe(false)
    expect(refusal(() => requireCapabilities(driver, ['streams' as never], 'x')).code).toBe('MISSING_CAPABILITY')
  })
})

describe('reading bytes', () => {
  it('rejects with UNSUPPORTED, without calling anything, on a driver without binary', async () => {
    const driver: BaseDriver = variant({ ...memoryDriver().capabilities, binary: false }, ['getBytes'])
    const outcome = await readBytes(driver, 'k').then(
      () => 'resolved',
      (error: unknown) => (isCacheError(error) ? error.code : error),
    )
    expect(outcome).toBe('UNSUPPORTED')
  })

  it('reads bytes exactly on a driver with binary', async () => {
    const driver = memoryDriver()
    await driver.set('k', Uint8Array.from([0xff, 0x00]))
    expect(await readBytes(driver, 'k')).toEqual(Uint8Array.from([0xff, 0x00]))
  })
})
