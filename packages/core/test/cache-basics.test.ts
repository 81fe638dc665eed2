import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createCache, defineKey, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'

const PatientSchema = z.object({ id: z.number(), name: z.string() })
const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m' })

describe('get / set / has / invalidate', () => {
  it('stores under prefix:key and reads it back', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, prefix: 'identity', env: false })
    expect(await cache.set(patientKey({ id: 42 }), { id: 42, name: 'Kouadio' })).toBe(true)
    expect(await cache.get(patientKey({ id: 42 }))).toEqual({ id: 42, name: 'Kouadio' })
    expect(await driver.exists(['identity:patient:42'])).toBe(1)
    expect(await cache.has(patientKey({ id: 42 }))).toBe(true)
    expect(await cache.has(patientKey({ id: 43 }))).toBe(false)
    expect(await cache.get(patientKey({ id: 43 }))).toBeUndefined()
  })

  it('counts hits and misses (has() counts neither)', async () => {
    const { cache } = testCache()
    await cache.get('a')
    await cache.set('a', 1)
    await cache.get('a')
    await cache.get('a')
    await cache.has('a')
    const stats = cache.stats()
    expect(stats).toMatchObject({ hits: 2, misses: 1, sets: 1 })
    expect(stats.hitRate).toBeCloseTo(2 / 3)
  })

  it('accepts plain string keys and caches null, but never undefined', async () => {
    const { cache, driver } = testCache({ prefix: 'p' })
    expect(await cache.set('null-value', null)).toBe(true)
    expect(await cache.get('null-value')).toBeNull()
    expect(await cache.set('nothing', undefined)).toBe(false)
    expect(await driver.exists(['p:nothing'])).toBe(0)
  })

  it('invalidate returns how many existed, for one key or several', async () => {
    const { cache } = testCache()
    await cache.set(patientKey({ id: 1 }), { id: 1, name: 'a' })
    await cache.set(patientKey({ id: 2 }), { id: 2, name: 'b' })
    expect(await cache.invalidate(patientKey({ id: 1 }))).toBe(1)
    // Key 1 now holds the first invalidation's tombstone (the fence): not an entry, not counted.
    expect(await cache.invalidate([patientKey({ id: 1 }), patientKey({ id: 2 }), 'absent'])).toBe(1)
    expect(await cache.get(patientKey({ id: 2 }))).toBeUndefined()
    expect(cache.stats().deletes).toBe(2)
    const unfenced = testCache({ fence: false }).cache
    await unfenced.set(patientKey({ id: 1 }), { id: 1, name: 'a' })
    expect(await unfenced.invalidate(patientKey({ id: 1 }))).toBe(1)
    expect(await unfenced.invalidate([patientKey({ id: 1 }), 'absent'])).toBe(0)
  })

  it('a hit costs one store call', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.set(patientKey({ id: 7 }), { id: 7, name: 'x' })
    counting.reset()
    await cache.get(patientKey({ id: 7 }))
    expect(counting.total()).toBe(1)
    expect(counting.calls.get('get')).toBe(1)
  })
})

describe('deletePattern', () => {
  it.each([
    { fence: undefined, write: 'batch' }, // each key found becomes a tombstone: one atomic batch of SET XX per 500 keys
    { fence: false as const, write: 'delete' },
  ])('deletes by SCAN in batches, returns the count, and never uses anything but scan + $write', async ({ fence, write }) => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver, ...(fence === undefined ? {} : { fence }) })
    const itemKey = defineKey('item:{id}')
    await Promise.all(Array.from({ length: 1_200 }, (_, id) => cache.set(itemKey({ id }), id)))
    await cache.set('other:1', 1)
    counting.reset()
    expect(await cache.deletePattern(itemKey.pattern({}))).toBe(1_200)
    // With the fence, an MGET per batch counts the entries (not earlier tombstones) it replaces.
    expect([...counting.calls.keys()].sort()).toEqual(fence === undefined ? ['batch', 'mget', 'scan'] : ['delete', 'scan'])
    expect(counting.calls.get(write)).toBe(3) // 500 + 500 + 200
    expect(await cache.get(itemKey({ id: 7 }))).toBeUndefined()
    expect(await cache.get('other:1')).toBe(1)
  })

  it('stays inside the cache prefix, escaped', async () => {
    const driver = memoryDriver()
    const a = createCache({ driver, prefix: 'svc-a', env: false })
    const b = createCache({ driver, prefix: 'svc-b', env: false })
    await a.set('k', 1)
    await b.set('k', 2)
    expect(await a.deletePattern('*')).toBe(1)
    expect(await b.get('k')).toBe(2)
  })

  it('a key pattern deletes only keys of its own template', async () => {
    const { cache } = testCache()
    const conversationKey = defineKey('messaging:conversation:{id}')
    const messagesKey = defineKey('messaging:conversation:{id}:messages')
    await cache.set(conversationKey({ id: 7 }), { id: 7 })
    await cache.set(messagesKey({ id: 7 }), ['hello'])
    expect(await cache.deletePattern(conversationKey.pattern({}))).toBe(1)
    expect(await cache.get(messagesKey({ id: 7 }))).toEqual(['hello'])
    // A raw glob is taken as written: it matches both.
    await cache.set(conversationKey({ id: 7 }), { id: 7 })
    expect(await cache.deletePattern('messaging:conversation:*')).toBe(2)
  })
})

describe('health and close', () => {
  it('reports the driver and a latency', async () => {
    const { cache } = testCache()
    const health = await cache.health()
    expect(health).toMatchObject({ ok: true, enabled: true, driver: 'memory' })
    expect(health.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('after close: reads miss, getOrSet loads, writes resolve false, invalidations reject with CLOSED', async () => {
    const { cache } = testCache()
    await cache.set('k', 1)
    await cache.close()
    await cache.close()
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 2)).toBe(2)
    expect(await cache.set('k', 3)).toBe(false)
    await expect(cache.invalidate('k')).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(cache.deletePattern('*')).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(cache.invalidateTags(['t'])).rejects.toMatchObject({ code: 'CLOSED' })
    expect(await cache.health()).toMatchObject({ ok: false, error: 'CLOSED' })
  })
})
