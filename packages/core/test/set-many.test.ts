import { describe, expect, it } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { defineKey, InvalidKeyError, InvalidOptionsError, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'
import { countingDriver, throwingDriver } from './support/drivers.js'

const itemKey = defineKey<'item:{id}', { id: number }>('item:{id}')

describe('cache.setMany', () => {
  it('stores each entry as set() would and resolves, in order, whether each was stored', async () => {
    const { cache } = testCache()
    const stored = await cache.setMany([
      { key: itemKey({ id: 1 }), value: { id: 1 } },
      { key: itemKey({ id: 2 }), value: undefined as never },
      { key: 'raw', value: { id: 3 } },
    ])
    expect(stored).toEqual([true, false, true])
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 }), 'raw'])).toEqual([{ id: 1 }, undefined, { id: 3 }])
    expect(cache.stats().sets).toBe(2)
  })

  it('honours each entry’s TTL and tags', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = testCache({ driver, clock, prefix: 's', ttl: '1h' })
    await cache.setMany([
      { key: itemKey({ id: 1 }), value: { id: 1 }, options: { ttl: '1m', tags: ['a'] } },
      { key: itemKey({ id: 2 }), value: { id: 2 }, options: { tags: ['b'] } },
      { key: itemKey({ id: 3 }), value: { id: 3 } },
    ])
    expect(await driver.pttl('s:item:1')).toBe(60_000)
    expect(await driver.pttl('s:item:3')).toBe(3_600_000)
    await cache.invalidateTags(['b'])
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 }), itemKey({ id: 3 })])).toEqual([{ id: 1 }, undefined, { id: 3 }])
    clock.advance(61_000)
    expect(await cache.get(itemKey({ id: 1 }))).toBeUndefined()
  })

  it('reads the tag tokens once per distinct tag list, not once per entry', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.setMany(Array.from({ length: 20 }, (_, id) => ({ key: itemKey({ id }), value: { id }, options: { tags: ['all'] } })))
    expect(counting.calls.get('mget')).toBe(1)
    await cache.invalidateTags(['all'])
    expect(await cache.getMany([itemKey({ id: 0 }), itemKey({ id: 19 })])).toEqual([undefined, undefined])
  })

  it('writes in parallel (one SET per entry)', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.setMany(Array.from({ length: 20 }, (_, id) => ({ key: itemKey({ id }), value: { id } })))
    expect(counting.calls.get('set')).toBe(20)
  })

  it('a bad tag or a value the codec refuses throws before anything is written', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await expect(
      cache.setMany([
        { key: itemKey({ id: 1 }), value: { id: 1 } },
        { key: itemKey({ id: 2 }), value: { id: 2 }, options: { tags: ['bad tag\n'] } },
      ]),
    ).rejects.toBeInstanceOf(InvalidKeyError)
    const error = await cache
      .setMany([
        { key: itemKey({ id: 1 }), value: { id: 1 } },
        { key: itemKey({ id: 2 }), value: { id: 10n } as never },
      ])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as Error).message).not.toContain('10')
    expect(counting.calls.get('set')).toBeUndefined()
    expect(await cache.get(itemKey({ id: 1 }))).toBeUndefined()
  })

  it('a key given twice is written once, with its last entry', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    expect(
      await cache.setMany([
        { key: itemKey({ id: 1 }), value: { id: 1 } },
        { key: itemKey({ id: 1 }), value: { id: 2 } },
      ]),
    ).toEqual([true, true])
    expect(counting.calls.get('set')).toBe(1)
    expect(await cache.get(itemKey({ id: 1 }))).toEqual({ id: 2 })
  })

  it('a store failure resolves false, never rejects', async () => {
    const { cache } = testCache({ driver: throwingDriver(memoryDriver()) })
    expect(await cache.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2 }])).toEqual([false, false])
    expect(cache.stats().errors).toBe(2)
  })

  it('a disabled cache writes nothing and resolves false for each', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver, enabled: false })
    expect(await cache.setMany([{ key: 'a', value: 1 }])).toEqual([false])
    expect(counting.total()).toBe(0)
  })

  it('rejects entries that are not an array of { key, value }', async () => {
    const { cache } = testCache()
    await expect(cache.setMany({ key: 'a', value: 1 } as never)).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(cache.setMany([null as never])).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(cache.setMany([{ key: 7 as never, value: 1 }])).rejects.toBeInstanceOf(InvalidKeyError)
    expect(await cache.setMany([])).toEqual([])
  })

  it("refuses, with wire: 'plain', an entry asking for tags or grace", async () => {
    const { cache } = testCache({ wire: 'plain' })
    await expect(cache.setMany([{ key: 'a', value: 1, options: { tags: ['t'] } }])).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(cache.setMany([{ key: 'a', value: 1, options: { grace: '1h' } }])).rejects.toBeInstanceOf(InvalidOptionsError)
    expect(await cache.setMany([{ key: 'a', value: 1 }])).toEqual([true])
  })
})
