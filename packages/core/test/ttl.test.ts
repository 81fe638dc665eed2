import { describe, expect, it } from 'vitest'
import { createCache, defineKey, InvalidDurationError, InvalidOptionsError, memoryDriver, parseDuration, ttlPresets } from '../src/index.js'
import { testCache } from './support/cache.js'
import { createFakeClock } from '@cachette/testing'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['30d', 2_592_000_000],
    ['1.5s', 1_500],
    [250, 250],
    [0.4, 1],
  ] as const)('%s -> %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '0s', '-5m', '5 m', '5', 'm', '5y', '1e3ms', ''])('rejects %s', (input) => {
    expect(() => parseDuration(input as never)).toThrow(InvalidDurationError)
  })

  it('exports the seed presets', () => {
    expect(ttlPresets).toEqual({ session: '1h', profile: '30m', list: '5m', stats: '15m', static: '24h' })
  })
})

function clockedCache(options: Parameters<typeof createCache>[0] = {}) {
  const clock = createFakeClock()
  const driver = memoryDriver({ clock })
  const { cache } = testCache({ driver, clock, prefix: 'ttl', ...options })
  return { clock, driver, cache }
}

describe('TTLs on a fake clock', () => {
  const plainKey = defineKey('plain:{id}')
  const patientKey = defineKey('patient:{id}', { ttl: '10m' })
  const sessionKey = defineKey('session:{id}', { ttl: 'session' })

  it('uses the default TTL exactly (no jitter by default) and expires on time', async () => {
    const { clock, driver, cache } = clockedCache()
    await cache.set(plainKey({ id: 1 }), 'v')
    expect(await driver.pttl('ttl:plain:1')).toBe(300_000)
    clock.advance(299_999)
    expect(await cache.get(plainKey({ id: 1 }))).toBe('v')
    // As Redis: a key is gone once the clock is past its expiry time.
    clock.advance(2)
    expect(await cache.get(plainKey({ id: 1 }))).toBeUndefined()
  })

  it('a key TTL beats the default, a call TTL beats the key, ctx.setTtl beats both', async () => {
    const { driver, cache } = clockedCache()
    await cache.set(patientKey({ id: 1 }), 'v')
    expect(await driver.pttl('ttl:patient:1')).toBe(600_000)
    await cache.set(patientKey({ id: 2 }), 'v', { ttl: '30s' })
    expect(await driver.pttl('ttl:patient:2')).toBe(30_000)
    await cache.getOrSet(patientKey({ id: 3 }), (ctx) => {
      ctx.setTtl('1s')
      return 'v'
    })
    expect(await driver.pttl('ttl:patient:3')).toBe(1_000)
  })

  it('resolves policy names against presets, the ttls option and CACHE_TTL_<NAME> (seconds)', async () => {
    const preset = clockedCache()
    await preset.cache.set(sessionKey({ id: 1 }), 'v')
    expect(await preset.driver.pttl('ttl:session:1')).toBe(3_600_000)

    const configured = clockedCache({ ttls: { session: '20m', patient: '10m' } })
    await configured.cache.set(sessionKey({ id: 1 }), 'v')
    expect(await configured.driver.pttl('ttl:session:1')).toBe(1_200_000)

    const fromEnv = clockedCache({ ttls: { session: '20m' }, env: { CACHE_TTL_SESSION: '90', CACHE_TTL_DEFAULT: '60' } })
    await fromEnv.cache.set(sessionKey({ id: 1 }), 'v')
    await fromEnv.cache.set(plainKey({ id: 1 }), 'v')
    expect(await fromEnv.driver.pttl('ttl:session:1')).toBe(90_000)
    expect(await fromEnv.driver.pttl('ttl:plain:1')).toBe(60_000)
  })

  it('an unknown policy name is a programming error', async () => {
    const { cache } = clockedCache()
    const typo = defineKey('x:{id}', { ttl: 'sesion' })
    await expect(cache.set(typo({ id: 1 }), 'v')).rejects.toThrow(InvalidOptionsError)
  })

  it('clamps key and call TTLs above maxTtl, and counts them', async () => {
    const { driver, cache } = clockedCache({ maxTtl: '1h' })
    const longKey = defineKey('long:{id}', { ttl: '2d' })
    await cache.set(longKey({ id: 1 }), 'v')
    await cache.set(plainKey({ id: 2 }), 'v', { ttl: '90m' })
    expect(await driver.pttl('ttl:long:1')).toBe(3_600_000)
    expect(await driver.pttl('ttl:plain:2')).toBe(3_600_000)
    expect(cache.stats().ttlClamped).toBe(2)
  })

  it('the default maxTtl is 30 days', async () => {
    const { driver, cache } = clockedCache()
    await cache.set(plainKey({ id: 1 }), 'v', { ttl: '31d' })
    expect(await driver.pttl('ttl:plain:1')).toBe(30 * 86_400_000)
  })

  it('rejects cache-level TTLs above maxTtl at creation', () => {
    expect(() => createCache({ env: false, ttl: '2h', maxTtl: '1h' })).toThrow(/ttl: exceeds maxTtl/)
    expect(() => createCache({ env: false, ttls: { report: '2h' }, maxTtl: '1h' })).toThrow(/ttls.report: exceeds maxTtl/)
    expect(() => createCache({ env: { CACHE_TTL_DEFAULT: '7200' }, maxTtl: '1h' })).toThrow(/CACHE_TTL_DEFAULT: exceeds maxTtl/)
    expect(() => createCache({ env: { CACHE_TTL_PATIENT: '7200' }, maxTtl: '1h' })).toThrow(/CACHE_TTL_PATIENT: exceeds maxTtl/)
  })

  it('caps built-in presets at maxTtl without complaint', async () => {
    const { driver, cache } = clockedCache({ maxTtl: '2h', ttl: '1m' })
    await cache.set(defineKey('static:{id}', { ttl: 'static' })({ id: 1 }), 'v')
    expect(await driver.pttl('ttl:static:1')).toBe(7_200_000)
  })

  it('rejects TTLs that would never expire', async () => {
    const { cache } = clockedCache()
    expect(() => createCache({ env: false, ttl: 0 })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, ttl: Number.POSITIVE_INFINITY })).toThrow(InvalidOptionsError)
    await expect(cache.set('k', 'v', { ttl: -1 })).rejects.toThrow(InvalidDurationError)
    await expect(cache.set('k', 'v', { ttl: Number.POSITIVE_INFINITY })).rejects.toThrow(InvalidDurationError)
    expect(() => defineKey('k:{id}', { ttl: 0 })).toThrow(InvalidDurationError)
  })

  it('jitter only shortens TTLs, within the fraction asked', async () => {
    const { driver, cache } = clockedCache({ jitter: 0.2 })
    const ttls = new Set<number>()
    for (let id = 0; id < 200; id++) {
      await cache.set(patientKey({ id }), 'v')
      const ttl = await driver.pttl(`ttl:patient:${id}`)
      expect(ttl).toBeGreaterThanOrEqual(480_000)
      expect(ttl).toBeLessThanOrEqual(600_000)
      ttls.add(ttl)
    }
    expect(ttls.size).toBeGreaterThan(50)
  })
})
