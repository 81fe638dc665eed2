import { describe, expect, it } from 'vitest'
import { createCache, defineKey, memoryDriver } from '../src/index.js'
import { countingDriver } from './support/drivers.js'

const patientKey = defineKey('patient:{id}')

describe('kill switch', () => {
  it('enabled: false turns every operation into a no-op miss without touching the store', async () => {
    const counting = countingDriver(memoryDriver())
    const cache = createCache({ driver: counting.driver, enabled: false, env: false })
    let loads = 0
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => ++loads)).toBe(1)
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => ++loads)).toBe(2)
    expect(await cache.set(patientKey({ id: 1 }), 'v')).toBe(false)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.has(patientKey({ id: 1 }))).toBe(false)
    expect(await cache.invalidate(patientKey({ id: 1 }))).toBe(0)
    expect(await cache.deletePattern(patientKey.pattern({}))).toBe(0)
    await cache.invalidateTags(['t'])
    expect(counting.total()).toBe(0)
    expect(cache.enabled).toBe(false)
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 3, loaderCalls: 2 })
    expect(await cache.health()).toMatchObject({ ok: true, enabled: false })
  })

  it('CACHE_ENABLED=false wins over enabled: true in code', async () => {
    const counting = countingDriver(memoryDriver())
    const cache = createCache({ driver: counting.driver, enabled: true, env: { CACHE_ENABLED: 'false' } })
    expect(cache.enabled).toBe(false)
    expect(await cache.getOrSet('k', () => 1)).toBe(1)
    expect(counting.total()).toBe(0)
  })

  it('CACHE_ENABLED=true does not re-enable a cache disabled in code', () => {
    expect(createCache({ enabled: false, env: { CACHE_ENABLED: 'true' } }).enabled).toBe(false)
    expect(createCache({ env: { CACHE_ENABLED: 'TRUE' } }).enabled).toBe(true)
    expect(createCache({ env: { CACHE_ENABLED: '' } }).enabled).toBe(true)
  })
})
