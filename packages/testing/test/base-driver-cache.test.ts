import { describe, expect, it } from 'vitest'
import { InvalidOptionsError, createCache, defineKey, hasCapabilities, isCacheError, requireCapabilities, type BaseDriver } from '@cachette/core'
import { mapDriver } from './fixtures/map-driver.js'

/*
 * A cache over a BaseDriver that has no command group at all (the Map driver of docs/drivers.md):
 * no batch, so the fence invalidates with DEL then SET; no compareAndSet, so a fenced write is
 * compareAndDelete then SET NX.
 */

const patientKey = defineKey('identity:patient:{id}')
const exportKey = defineKey('fhir:export:{type}:ej:{ejId}')
const listKey = defineKey('fmpa:list:{tenantId}:{page}', { tags: ({ tenantId }) => [`tenant:${String(tenantId)}`] })

/** The Map driver, counting calls per method. */
function countedMapDriver(): { driver: BaseDriver; calls: Map<string, number> } {
  const inner = mapDriver()
  const calls = new Map<string, number>()
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { driver, calls }
}

function loaderOf<T>(value: T): { load: () => Promise<T>; count: () => number } {
  let calls = 0
  return {
    load: async () => {
      calls++
      return value
    },
    count: () => calls,
  }
}

describe('createCache over a BaseDriver (the Map driver)', () => {
  it('getOrSet misses, then hits without calling the loader', async () => {
    const cache = createCache({ driver: mapDriver(), env: false })
    const loader = loaderOf({ id: 42, nom: 'Zoé' })
    expect(await cache.getOrSet(patientKey({ id: 42 }), loader.load)).toEqual({ id: 42, nom: 'Zoé' })
    expect(await cache.getOrSet(patientKey({ id: 42 }), loader.load)).toEqual({ id: 42, nom: 'Zoé' })
    expect(loader.count()).toBe(1)
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 })
  })

  it('invalidate makes the next read a miss, fencing with DEL then SET (no batch)', async () => {
    const { driver, calls } = countedMapDriver()
    const cache = createCache({ driver, env: false, prefix: 'identity' })
    const loader = loaderOf({ id: 7 })
    await cache.getOrSet(patientKey({ id: 7 }), loader.load)
    calls.clear()
    expect(await cache.invalidate(patientKey({ id: 7 }))).toBe(1)
    expect(calls.get('delete')).toBe(1)
    expect(calls.get('set')).toBe(1)
    expect(calls.has('batch')).toBe(false)
    // The key now holds a tombstone, which reads as a miss.
    expect(await driver.get('identity:identity:patient:7')).toMatch(/^@cf /)
    expect(await cache.get(patientKey({ id: 7 }))).toBeUndefined()
    await cache.getOrSet(patientKey({ id: 7 }), loader.load)
    expect(loader.count()).toBe(2)
  })

  it('a load that began before another instance invalidated does not write what it read (compareAndDelete, then SET NX)', async () => {
    // Two instances sharing one store: only the fence (not the loader's own instance) knows.
    const driver = mapDriver()
    const cache = createCache({ driver, env: false })
    const other = createCache({ driver, env: false })
    let release: (value: { version: number }) => void = () => undefined
    const slow = cache.getOrSet(patientKey({ id: 1 }), () => new Promise<{ version: number }>((resolve) => (release = resolve)))
    await new Promise((resolve) => setTimeout(resolve, 10))
    await other.invalidate(patientKey({ id: 1 }))
    release({ version: 1 })
    expect(await slow).toEqual({ version: 1 })
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(cache.stats().fencedWrites).toBe(1)
  })

  it('deletePattern removes the matching keys and only those', async () => {
    const cache = createCache({ driver: mapDriver(), env: false })
    await cache.set(exportKey({ type: 'Patient', ejId: 7 }), 'p7')
    await cache.set(exportKey({ type: 'Encounter', ejId: 7 }), 'e7')
    await cache.set(exportKey({ type: 'Patient', ejId: 8 }), 'p8')
    expect(await cache.deletePattern(exportKey.pattern({ ejId: 7 }))).toBe(2)
    expect(await cache.get(exportKey({ type: 'Patient', ejId: 7 }))).toBeUndefined()
    expect(await cache.get(exportKey({ type: 'Encounter', ejId: 7 }))).toBeUndefined()
    expect(await cache.get(exportKey({ type: 'Patient', ejId: 8 }))).toBe('p8')
  })

  it('invalidateTags makes the tagged entries miss and leaves the others', async () => {
    const cache = createCache({ driver: mapDriver(), env: false })
    await cache.set(listKey({ tenantId: 't1', page: 1 }), ['a'])
    await cache.set(listKey({ tenantId: 't1', page: 2 }), ['b'])
    await cache.set(listKey({ tenantId: 't2', page: 1 }), ['c'])
    await cache.invalidateTags(['tenant:t1'])
    expect(await cache.get(listKey({ tenantId: 't1', page: 1 }))).toBeUndefined()
    expect(await cache.get(listKey({ tenantId: 't1', page: 2 }))).toBeUndefined()
    expect(await cache.get(listKey({ tenantId: 't2', page: 1 }))).toEqual(['c'])
    const loader = loaderOf(['a2'])
    expect(await cache.getOrSet(listKey({ tenantId: 't1', page: 1 }), loader.load)).toEqual(['a2'])
    expect(await cache.get(listKey({ tenantId: 't1', page: 1 }))).toEqual(['a2'])
  })

  it('health pings the driver; close() leaves it open, close({ driver: true }) closes it', async () => {
    const driver = mapDriver()
    const cache = createCache({ driver, env: false })
    expect(await cache.health()).toMatchObject({ ok: true, driver: 'map' })
    await cache.set('k', 1)
    await cache.close()
    expect(await driver.info()).toMatchObject({ keys: 1 })
    await cache.close({ driver: true })
    expect(await driver.info()).toMatchObject({ keys: 0 }) // the map driver's close() clears it
  })

  it('refuses a bytes codec: the driver does not announce binary', () => {
    const bytes = { name: 'raw', format: 'bytes' as const, encode: (value: unknown) => value as Uint8Array, decode: (payload: Uint8Array) => payload }
    expect(() => createCache({ driver: mapDriver(), env: false, codec: bytes })).toThrow(InvalidOptionsError)
  })
})

describe('a domain package asking the Map driver for command groups', () => {
  it('is refused at construction with every missing capability named', () => {
    const driver = mapDriver()
    expect(hasCapabilities(driver, ['hashes'])).toBe(false)
    let error: unknown
    try {
      requireCapabilities(driver, ['hashes', 'batch', 'compareAndDelete'], '@acme/fhir-export')
    } catch (caught) {
      error = caught
    }
    expect(isCacheError(error) && error.code).toBe('MISSING_CAPABILITY')
    expect((error as Error).message).toBe("[@acme/fhir-export] the 'map' driver lacks what this package needs: hashes, batch, compareAndDelete")
  })

  it('gets the same driver back when it asks for nothing beyond the base', () => {
    const driver = mapDriver()
    expect(requireCapabilities(driver, [], '@acme/plain')).toBe(driver)
  })
})
