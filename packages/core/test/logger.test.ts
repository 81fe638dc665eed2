import { afterEach, describe, expect, it, vi } from 'vitest'
import { memoryDriver, rateLimitedConsoleLogger, type CacheLogFields } from '../src/index.js'
import { testCache } from './support/cache.js'
import { throwingDriver } from './support/drivers.js'

const fields: CacheLogFields = { operation: 'get', code: 'DRIVER_FAILURE', keyPrefix: 'identity:patient', driver: 'memory' }

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the default logger', () => {
  it('writes one identical line per interval and reports how many it dropped', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    let now = 0
    const logger = rateLimitedConsoleLogger(10_000, () => now)
    logger.warn('cache get failed', fields)
    logger.warn('cache get failed', fields)
    logger.warn('cache get failed', fields)
    logger.warn('cache set failed', { ...fields, operation: 'set' })
    expect(warn).toHaveBeenCalledTimes(2)
    now = 10_000
    logger.warn('cache get failed', fields)
    expect(warn).toHaveBeenCalledTimes(3)
    expect(warn.mock.calls[2]).toEqual(['cache get failed', { ...fields, suppressed: 2 }])
  })

  it('is what a cache uses when no logger is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { cache } = testCache({ driver: throwingDriver(memoryDriver()), logger: undefined })
    for (let i = 0; i < 50; i++) await cache.get('k')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ operation: 'get', code: 'DRIVER_FAILURE', keyPrefix: expect.any(String) })
  })

  it('a logger that throws does not turn an absorbed failure into a failed call', async () => {
    const { cache } = testCache({
      driver: throwingDriver(memoryDriver()),
      logger: {
        warn: () => {
          throw new Error('logger down')
        },
      },
    })
    expect(await cache.getOrSet('k', () => 1)).toBe(1)
  })
})
