import { describe, expect, it } from 'vitest'
import { cacheConfigFromEnv, createCache, InvalidOptionsError, memoryDriver } from '../src/index.js'

describe('cacheConfigFromEnv', () => {
  it('reads the seed variables in seconds', () => {
    expect(
      cacheConfigFromEnv({
        CACHE_ENABLED: 'false',
        CACHE_TTL_DEFAULT: '300',
        CACHE_TTL_PATIENT: '600',
        CACHE_TTL_PROFESSIONAL: '600',
        CACHE_TTL_STATS_DASHBOARD: ' 300 ',
        REDIS_HOST: 'localhost',
        CACHE_TTL: '3600',
      }),
    ).toEqual({ enabled: false, ttlMs: 300_000, ttlsMs: { patient: 600_000, professional: 600_000, stats_dashboard: 300_000 } })
  })

  it('treats unset and empty variables as absent', () => {
    expect(cacheConfigFromEnv({ CACHE_ENABLED: '', CACHE_TTL_DEFAULT: undefined })).toEqual({ ttlsMs: {} })
    expect(cacheConfigFromEnv({})).toEqual({ ttlsMs: {} })
  })

  it('lists every bad variable with a readable reason', () => {
    let error: unknown
    try {
      cacheConfigFromEnv({ CACHE_ENABLED: 'maybe', CACHE_TTL_DEFAULT: '5m', CACHE_TTL_PATIENT: '0', CACHE_TTL_PROFESSIONAL: '-3' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidOptionsError)
    const message = (error as Error).message
    expect(message).toMatch(/^\[@cachette\/core\] invalid cache configuration in the environment: /)
    expect(message).toContain('CACHE_ENABLED: expected true or false')
    expect(message).toContain('(got "maybe")')
    expect(message).toContain('CACHE_TTL_DEFAULT: expected a whole number of seconds')
    expect(message).toContain('(got "5m")')
    expect(message).toContain('CACHE_TTL_PATIENT: must be at least 1 second')
    expect(message).toContain('CACHE_TTL_PROFESSIONAL: expected a whole number of seconds')
    // One reason per variable, not a cascade.
    expect(message.match(/CACHE_TTL_PATIENT/g)).toHaveLength(1)
    expect(message.match(/CACHE_TTL_DEFAULT/g)).toHaveLength(1)
  })

  it('createCache reads the environment and rejects a bad one', () => {
    expect(() => createCache({ env: { CACHE_TTL_DEFAULT: 'soon' } })).toThrow(/CACHE_TTL_DEFAULT/)
  })
})

describe('createCache option validation', () => {
  it('lists every bad option', () => {
    let error: unknown
    try {
      createCache({ env: false, prefix: 'has space', ttl: '5 minutes' as never, jitter: 1.5, deadlineMs: 0, driver: {} as never, bogus: 1 } as never)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidOptionsError)
    const message = (error as Error).message
    for (const path of ['prefix', 'ttl', 'jitter', 'deadlineMs', 'driver', 'bogus']) expect(message).toContain(path)
  })

  it('refuses prefixes with glob characters or braces', () => {
    for (const prefix of ['a*', 'a{b}', 'a:', ':a', 'a[1]']) expect(() => createCache({ env: false, prefix, driver: memoryDriver() })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, prefix: 'soins_suite-1.identity:v2' })).not.toThrow()
  })

  it('refuses a bytes codec on a driver without binary support', () => {
    const inner = memoryDriver()
    const textOnly = new Proxy(inner, {
      get: (target, property, receiver) => (property === 'capabilities' ? { ...target.capabilities, binary: false } : Reflect.get(target, property, receiver)),
    })
    const codec = { name: 'raw', format: 'bytes' as const, encode: (value: Uint8Array) => value, decode: (payload: Uint8Array) => payload }
    expect(() => createCache({ env: false, driver: textOnly, codec })).toThrow(/does not support binary values/)
  })
})

describe('createCache({ env: process.env })', () => {
  it('accepts the real process.env object and reads the variables from it', async () => {
    const saved = process.env.CACHE_ENABLED
    process.env.CACHE_ENABLED = 'false'
    try {
      const cache = createCache({ env: process.env })
      expect(cache.enabled).toBe(false)
      await cache.close()
    } finally {
      if (saved === undefined) delete process.env.CACHE_ENABLED
      else process.env.CACHE_ENABLED = saved
    }
  })
})
