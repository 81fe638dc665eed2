import { describe, expect, it, vi } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { z } from 'zod'
import { createCache, defineKey, InvalidKeyError, InvalidOptionsError, memoryDriver, type BytesCodec, type Driver } from '../src/index.js'
import { groupBySlot, keySlot } from '../src/keys/key-slot.js'
import { randomPrefix, recordingLogger, testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'

const itemKey = defineKey<'item:{id}', { id: number }>('item:{id}')

/** A memory driver that acts like a cluster client (no batch across slots), counting MGETs and failing those naming `failing`. */
function clusterLikeDriver(inner: Driver, failing?: (key: string) => boolean) {
  const mgets: string[][] = []
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'capabilities') return { ...target.capabilities, crossSlotBatch: false }
      if (property === 'mget') {
        return (keys: readonly string[]) => {
          mgets.push([...keys])
          if (failing !== undefined && keys.some(failing)) return Promise.reject(new Error('node down'))
          return target.mget(keys)
        }
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { driver, mgets }
}

describe('cache.getMany', () => {
  it('answers in key order with undefined for misses, in one MGET, each distinct key counted once', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.set(itemKey({ id: 1 }), { id: 1 })
    await cache.set('raw', { id: 9 })
    counting.reset()
    const values = await cache.getMany([itemKey({ id: 2 }), itemKey({ id: 1 }), 'raw', itemKey({ id: 1 }), itemKey({ id: 3 })])
    expect(values).toEqual([undefined, { id: 1 }, { id: 9 }, { id: 1 }, undefined])
    expect(counting.calls.get('mget')).toBe(1)
    expect(counting.calls.get('get')).toBeUndefined()
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 })
  })

  it('resolves [] for no keys, without a store call', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    expect(await cache.getMany([])).toEqual([])
    expect(counting.total()).toBe(0)
  })

  it('asks the memory tier first (l1: true)', async () => {
    const counting = countingDriver(memoryDriver())
    const cache = createCache({ env: false, logger: recordingLogger(), driver: counting.driver, prefix: randomPrefix(), l1: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    await cache.set(itemKey({ id: 1 }), { id: 1 })
    await cache.set(itemKey({ id: 2 }), { id: 2 })
    counting.reset()
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 }), itemKey({ id: 3 })])).toEqual([{ id: 1 }, { id: 2 }, undefined])
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, l1: { hits: 2, misses: 1 } })
    // Only the key the tier did not hold went to the store.
    expect(counting.calls.get('mget')).toBe(1)
    // A store hit is kept in the tier: the next read of it is a tier hit.
    await cache.set(itemKey({ id: 3 }), { id: 3 })
    expect(await cache.getMany([itemKey({ id: 3 })])).toEqual([{ id: 3 }])
    expect(cache.stats().l1?.hits).toBe(3)
    await cache.close({ driver: true })
  })

  it('a corrupted entry is a miss, deleted and counted', async () => {
    const schemaKey = defineKey('p:{id}', { schema: z.object({ id: z.number() }) })
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'c' })
    await cache.set(schemaKey({ id: 1 }), { id: 1 })
    await driver.set('c:p:2', '@c1\n{"id":', { ttlMs: 60_000 })
    await driver.set('c:p:3', '@c1\n{"id":"three"}', { ttlMs: 60_000 })
    expect(await cache.getMany([schemaKey({ id: 1 }), schemaKey({ id: 2 }), schemaKey({ id: 3 })])).toEqual([{ id: 1 }, undefined, undefined])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(await driver.exists(['c:p:2', 'c:p:3'])).toBe(0)
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, decodeFailures: 2 })
  })

  it('a stale entry (past its TTL, within its grace) is a miss, as in get()', async () => {
    const clock = createFakeClock()
    const { cache } = testCache({ driver: memoryDriver({ clock }), clock })
    await cache.set(itemKey({ id: 1 }), { id: 1 }, { ttl: '1m', grace: '1h' })
    await cache.set(itemKey({ id: 2 }), { id: 2 }, { ttl: '1h', grace: '1h' })
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([{ id: 1 }, { id: 2 }])
    clock.advance(120_000)
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([undefined, { id: 2 }])
    expect(await cache.get(itemKey({ id: 1 }))).toBeUndefined()
  })

  it('honours tags: an entry whose tag was invalidated is a miss', async () => {
    const { cache } = testCache()
    await cache.set(itemKey({ id: 1 }), { id: 1 }, { tags: ['t:1'] })
    await cache.set(itemKey({ id: 2 }), { id: 2 }, { tags: ['t:2'] })
    await cache.invalidateTags(['t:1'])
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([undefined, { id: 2 }])
  })

  it('without crossSlotBatch (a cluster), sends one MGET per hash slot, each naming keys of one slot', async () => {
    const { driver, mgets } = clusterLikeDriver(memoryDriver())
    const { cache } = testCache({ driver, prefix: 'x' })
    const tagged = defineKey('{{g{group}}}:item:{id}')
    const keys = Array.from({ length: 60 }, (_, id) => tagged({ group: id % 4, id }))
    for (const key of keys.slice(0, 30)) await cache.set(key, { id: key.key })
    const values = await cache.getMany(keys)
    expect(values).toEqual(keys.map((key, i) => (i < 30 ? { id: key.key } : undefined)))
    const slots = new Set(keys.map((key) => keySlot(`x:${key.key}`)))
    expect(mgets.length).toBe(slots.size)
    for (const sent of mgets) expect(new Set(sent.map(keySlot)).size).toBe(1)
  })

  it('a failed MGET makes its keys misses (counted); the other slot groups still answer', async () => {
    const { driver } = clusterLikeDriver(memoryDriver(), (key) => key.includes('{down}'))
    const { cache } = testCache({ driver, prefix: 'x' })
    await cache.set('{down}:a', 'a')
    await cache.set('{up}:b', 'b')
    expect(await cache.getMany(['{down}:a', '{up}:b'])).toEqual([undefined, 'b'])
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, errors: 1 })
  })

  it('reads a key with a bytes codec alone (MGET answers text), the others in one MGET', async () => {
    const bytes: BytesCodec<string> = {
      name: 'utf8',
      format: 'bytes',
      encode: (value) => new TextEncoder().encode(value),
      decode: (data) => new TextDecoder().decode(data),
    }
    const blobKey = defineKey('blob:{id}', { codec: bytes })
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.set(blobKey({ id: 1 }), 'héllo')
    await cache.set(itemKey({ id: 1 }), { id: 1 })
    counting.reset()
    expect(await cache.getMany([itemKey({ id: 1 }), blobKey({ id: 1 }), blobKey({ id: 2 }), itemKey({ id: 2 })])).toEqual([{ id: 1 }, 'héllo', undefined, undefined])
    expect(counting.calls.get('mget')).toBe(1)
    expect(counting.calls.get('getBytes')).toBe(2)
  })

  it('a disabled cache misses everything without a store call', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver, enabled: false })
    expect(await cache.getMany([itemKey({ id: 1 }), 'x'])).toEqual([undefined, undefined])
    expect(counting.total()).toBe(0)
  })

  it('rejects what is not an array of keys, naming no key', async () => {
    const { cache } = testCache()
    await expect(cache.getMany('item:1' as never)).rejects.toBeInstanceOf(InvalidKeyError)
    const error = await cache.getMany([itemKey({ id: 1 }), 42 as never]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidKeyError)
    expect((error as Error).message).not.toContain('item')
  })

  it("refuses, with wire: 'plain', a key asking for tags (as get does)", async () => {
    const taggedKey = defineKey('tagged:{id}', { tags: (params) => [`t:${params.id}`] })
    const { cache } = testCache({ wire: 'plain' })
    await expect(cache.getMany([taggedKey({ id: 1 })])).rejects.toBeInstanceOf(InvalidOptionsError)
  })
})

describe('keySlot', () => {
  it('computes Redis Cluster slots (CRC16/XMODEM mod 16384, hash tags)', () => {
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('somekey')).toBe(11058)
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'))
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'))
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'))
  })

  it('groups indexes by slot in first-seen order', () => {
    expect(groupBySlot(['{a}:1', '{b}:1', '{a}:2'])).toEqual([[0, 2], [1]])
  })
})
