import { describe, expect, it, vi } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { z } from 'zod'
import { createCache, defineKey, InvalidKeyError, InvalidOptionsError, memoryDriver, type Key } from '../src/index.js'
import { randomPrefix, recordingLogger, testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'

interface Item {
  readonly id: number
}
const itemKey = defineKey<'item:{id}', Item>('item:{id}')
const idOf = (key: Key<Item> | string) => Number((typeof key === 'string' ? key : key.key).split(':').pop())

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A loadMany recording each call's keys (as ids). */
function recordingLoader(value: (id: number) => Item | undefined = (id) => ({ id })) {
  const calls: number[][] = []
  const load = async (missing: readonly (Key<Item> | string)[]) => {
    calls.push(missing.map(idOf))
    return missing.map((key) => value(idOf(key)))
  }
  return { calls, load }
}

/** Lets a stored write and its bookkeeping settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('cache.getOrSetMany', () => {
  it('loads only the missing keys, once, deduplicated and in input order, and answers in key order', async () => {
    const { cache } = testCache()
    await cache.setMany([{ key: itemKey({ id: 2 }), value: { id: 2 } }, { key: itemKey({ id: 4 }), value: { id: 4 } }])
    const { calls, load } = recordingLoader()
    const keys = [5, 2, 1, 5, 4, 3].map((id) => itemKey({ id }))
    expect(await cache.getOrSetMany(keys, load)).toEqual([5, 2, 1, 5, 4, 3].map((id) => ({ id })))
    expect(calls).toEqual([[5, 1, 3]])
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, hits: 2, misses: 3, inFlight: 0 })
    await settle()
    // Stored for next time: no load at all.
    expect(await cache.getOrSetMany(keys, load)).toHaveLength(6)
    expect(calls).toHaveLength(1)
    expect(await cache.getMany([itemKey({ id: 5 }), itemKey({ id: 1 }), itemKey({ id: 3 })])).toEqual([{ id: 5 }, { id: 1 }, { id: 3 }])
  })

  it('hands the very key objects given to loadMany', async () => {
    const { cache } = testCache()
    const keys = [itemKey({ id: 1 }), itemKey({ id: 2 })]
    let seen: readonly unknown[] = []
    await cache.getOrSetMany(keys, (missing) => {
      seen = missing
      return missing.map(idOf).map((id) => ({ id }))
    })
    expect(seen[0]).toBe(keys[0])
    expect(seen[1]).toBe(keys[1])
  })

  it('calls no loader when every key is cached, and resolves [] for no keys', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.set(itemKey({ id: 1 }), { id: 1 })
    const { calls, load } = recordingLoader()
    expect(await cache.getOrSetMany([itemKey({ id: 1 })], load)).toEqual([{ id: 1 }])
    expect(await cache.getOrSetMany([], load)).toEqual([])
    expect(calls).toEqual([])
  })

  it('reads with one MGET on a single store', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.getOrSetMany(
      Array.from({ length: 50 }, (_, id) => itemKey({ id })),
      recordingLoader().load,
    )
    expect(counting.calls.get('mget')).toBe(1)
    expect(counting.calls.get('get')).toBeUndefined()
  })

  it('an undefined value is returned, never stored', async () => {
    const { cache } = testCache()
    const { calls, load } = recordingLoader((id) => (id === 2 ? undefined : { id }))
    expect(await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], load)).toEqual([{ id: 1 }, undefined])
    await settle()
    await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], load)
    expect(calls).toEqual([[1, 2], [2]])
  })

  it('joins a getOrSet in flight for one of its keys instead of loading it', async () => {
    const { cache } = testCache()
    const gate = deferred<Item>()
    const single = vi.fn(() => gate.promise)
    const first = cache.getOrSet(itemKey({ id: 1 }), single)
    // Its flight is registered by the time its loader runs.
    await vi.waitFor(() => expect(single).toHaveBeenCalled())
    const { calls, load } = recordingLoader()
    const many = cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], load)
    await settle()
    gate.resolve({ id: 100 })
    expect(await many).toEqual([{ id: 100 }, { id: 2 }])
    expect(await first).toEqual({ id: 100 })
    expect(single).toHaveBeenCalledTimes(1)
    expect(calls).toEqual([[2]])
  })

  it('a getOrSet arriving while loadMany runs joins it instead of loading the key', async () => {
    const { cache } = testCache()
    const gate = deferred<Item[]>()
    const many = cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], () => gate.promise)
    await settle()
    expect(cache.stats().inFlight).toBe(2)
    const single = vi.fn(() => ({ id: -1 }))
    const joined = cache.getOrSet(itemKey({ id: 2 }), single)
    gate.resolve([{ id: 1 }, { id: 2 }])
    expect(await joined).toEqual({ id: 2 })
    expect(await many).toEqual([{ id: 1 }, { id: 2 }])
    expect(single).not.toHaveBeenCalled()
    await settle()
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, inFlight: 0 })
  })

  it('two concurrent calls load each key once', async () => {
    const { cache } = testCache()
    const gate = deferred<void>()
    const calls: number[][] = []
    const load = async (missing: readonly (Key<Item> | string)[]) => {
      calls.push(missing.map(idOf))
      await gate.promise
      return missing.map((key) => ({ id: idOf(key) }))
    }
    const a = cache.getOrSetMany([1, 2].map((id) => itemKey({ id })), load)
    await settle()
    const b = cache.getOrSetMany([2, 3].map((id) => itemKey({ id })), load)
    await settle()
    gate.resolve()
    expect(await a).toEqual([{ id: 1 }, { id: 2 }])
    expect(await b).toEqual([{ id: 2 }, { id: 3 }])
    expect(calls).toEqual([[1, 2], [3]])
  })

  it('an invalidation while loadMany runs keeps that key from being stored; the others are', async () => {
    const { cache } = testCache()
    const gate = deferred<Item[]>()
    const many = cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], () => gate.promise)
    await settle()
    await cache.invalidate(itemKey({ id: 1 }))
    gate.resolve([{ id: 1 }, { id: 2 }])
    // The caller still gets what it asked for.
    expect(await many).toEqual([{ id: 1 }, { id: 2 }])
    await settle()
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([undefined, { id: 2 }])
  })

  it('a loader error rejects with that very error, rejects the joined getOrSet too, and caches nothing', async () => {
    const { cache } = testCache()
    const gate = deferred<Item[]>()
    const boom = new Error('database down')
    const unhandled: unknown[] = []
    const record = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', record)
    try {
      const many = cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], () => gate.promise)
      const caught = many.catch((error: unknown) => error)
      await settle()
      const joined = cache.getOrSet(itemKey({ id: 1 }), () => ({ id: -1 })).catch((error: unknown) => error)
      gate.reject(boom)
      expect(await caught).toBe(boom)
      expect(await joined).toBe(boom)
      await settle()
      expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([undefined, undefined])
      expect(cache.stats()).toMatchObject({ loaderCalls: 1, loaderErrors: 1, sets: 0, inFlight: 0 })
      // A synchronous throw rejects the same way.
      await expect(
        cache.getOrSetMany([itemKey({ id: 3 })], () => {
          throw boom
        }),
      ).rejects.toBe(boom)
      await settle()
    } finally {
      process.off('unhandledRejection', record)
    }
    expect(unhandled).toEqual([])
  })

  it('rejects with an InvalidOptionsError when loadMany resolves another number of values, and caches nothing', async () => {
    const { cache } = testCache()
    const error = await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], () => [{ id: 1 }]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as Error).message).toMatch(/lengths differ/)
    await expect(cache.getOrSetMany([itemKey({ id: 1 })], () => 'nope' as never)).rejects.toBeInstanceOf(InvalidOptionsError)
    await settle()
    expect(cache.stats()).toMatchObject({ sets: 0, inFlight: 0 })
    expect(await cache.get(itemKey({ id: 1 }))).toBeUndefined()
  })

  it('honours the TTL and tags of the call', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = testCache({ driver, clock, prefix: 'g' })
    await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], recordingLoader().load, { ttl: '1m', tags: ['batch'] })
    await settle()
    expect(await driver.pttl('g:item:1')).toBe(60_000)
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([{ id: 1 }, { id: 2 }])
    await cache.invalidateTags(['batch'])
    expect(await cache.getMany([itemKey({ id: 1 }), itemKey({ id: 2 })])).toEqual([undefined, undefined])
  })

  it('reads the tag tokens once for a batch sharing its tags', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    await cache.getOrSetMany(
      Array.from({ length: 20 }, (_, id) => itemKey({ id })),
      recordingLoader().load,
      { tags: ['all'] },
    )
    // One MGET for the entries, one for the tag tokens.
    expect(counting.calls.get('mget')).toBe(2)
    await settle()
    expect(cache.stats().sets).toBe(20)
  })

  it('loads stale entries (within their grace) with the misses', async () => {
    const clock = createFakeClock()
    const { cache } = testCache({ driver: memoryDriver({ clock }), clock })
    await cache.set(itemKey({ id: 1 }), { id: -1 }, { ttl: '1m', grace: '1h' })
    await cache.set(itemKey({ id: 2 }), { id: -2 }, { ttl: '1h', grace: '1h' })
    clock.advance(120_000)
    const { calls, load } = recordingLoader()
    expect(await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], load)).toEqual([{ id: 1 }, { id: -2 }])
    expect(calls).toEqual([[1]])
  })

  it('asks the memory tier first (l1: true)', async () => {
    const counting = countingDriver(memoryDriver())
    const cache = createCache({ env: false, logger: recordingLogger(), driver: counting.driver, prefix: randomPrefix(), l1: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    await cache.set(itemKey({ id: 1 }), { id: 1 })
    counting.reset()
    const { calls, load } = recordingLoader()
    expect(await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 2 })], load)).toEqual([{ id: 1 }, { id: 2 }])
    expect(calls).toEqual([[2]])
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, l1: { hits: 1, misses: 1 } })
    await settle()
    // The loaded value went through the tier too.
    expect(await cache.getOrSetMany([itemKey({ id: 2 })], load)).toEqual([{ id: 2 }])
    expect(cache.stats().l1?.hits).toBe(2)
    await cache.close({ driver: true })
  })

  it('a corrupted entry is a miss and is reloaded over', async () => {
    const schemaKey = defineKey('p:{id}', { schema: z.object({ id: z.number() }) })
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'c' })
    await driver.set('c:p:1', '@c1\n{"id":"one"}', { ttlMs: 60_000 })
    const loaded: string[][] = []
    expect(
      await cache.getOrSetMany([schemaKey({ id: 1 })], (missing) => {
        loaded.push(missing.map((key) => (typeof key === 'string' ? key : key.key)))
        return [{ id: 1 }]
      }),
    ).toEqual([{ id: 1 }])
    expect(loaded).toEqual([['p:1']])
    expect(cache.stats().decodeFailures).toBe(1)
    await settle()
    expect(await cache.get(schemaKey({ id: 1 }))).toEqual({ id: 1 })
  })

  it('a disabled cache loads everything through loadMany and stores nothing', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver, enabled: false })
    const { calls, load } = recordingLoader()
    expect(await cache.getOrSetMany([itemKey({ id: 1 }), itemKey({ id: 1 }), itemKey({ id: 2 })], load)).toEqual([{ id: 1 }, { id: 1 }, { id: 2 }])
    expect(calls).toEqual([[1, 2]])
    expect(counting.total()).toBe(0)
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, misses: 2 })
  })

  it('a bad tag rejects before loadMany runs', async () => {
    const { cache } = testCache()
    const load = vi.fn(recordingLoader().load)
    await expect(cache.getOrSetMany([itemKey({ id: 1 })], load, { tags: ['bad tag\n'] })).rejects.toBeInstanceOf(InvalidKeyError)
    expect(load).not.toHaveBeenCalled()
    expect(cache.stats().inFlight).toBe(0)
  })

  it('rejects bad input, naming no key', async () => {
    const { cache } = testCache()
    await expect(cache.getOrSetMany(itemKey({ id: 1 }) as never, recordingLoader().load)).rejects.toBeInstanceOf(InvalidKeyError)
    const error = await cache.getOrSetMany([itemKey({ id: 1 })], 'load' as never).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as Error).message).not.toContain('item')
  })

  it("refuses, with wire: 'plain', envelope options as getOrSet does, warm or cold", async () => {
    const { cache } = testCache({ wire: 'plain' })
    await expect(cache.getOrSetMany(['a'], () => [1], { grace: '1h' })).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(cache.getOrSetMany(['a'], () => [1], { tags: ['t'] })).rejects.toBeInstanceOf(InvalidOptionsError)
    expect(await cache.getOrSetMany(['a'], () => [1])).toEqual([1])
  })
})
