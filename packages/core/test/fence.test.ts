import { createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { createCache, defineKey, InvalidOptionsError, memoryDriver, type CacheOptions, type Codec, type Driver } from '../src/index.js'
import { recordingLogger } from './support/cache.js'

/**
 * The fence across processes. Two caches over one store stand for two processes: each has its
 * own flights and loads, so the in-process guard of one never sees the other's invalidations.
 */

const patientKey = defineKey('patient:{id}')

function twoProcesses(options: CacheOptions = {}, driver: Driver = memoryDriver()) {
  const open = (): ReturnType<typeof createCache> => createCache({ env: false, logger: recordingLogger(), prefix: 'f', driver, ...options })
  return { a: open(), b: open(), driver }
}

/** A loader that reads "the database" and then waits until released: the read happened before the release. */
function slowLoad(database: { version: number }) {
  let release!: () => void
  let started!: () => void
  const running = new Promise<void>((resolve) => (started = resolve))
  const gate = new Promise<void>((resolve) => (release = resolve))
  const loader = async () => {
    const read = { version: database.version }
    started()
    await gate
    return read
  }
  return { loader, running, release }
}

/** Waits until `count` getOrSet writes of a cache have landed or been refused (close() would close the shared store). */
async function writesSettled(cache: ReturnType<typeof createCache>, count = 1): Promise<void> {
  await expect.poll(() => cache.stats().sets + cache.stats().fencedWrites).toBeGreaterThanOrEqual(count)
}

/** The race: B's load reads version 1, A commits version 2 and invalidates, then B's load ends. */
async function race(options: CacheOptions) {
  const { a, b, driver } = twoProcesses(options)
  const database = { version: 1 }
  const slow = slowLoad(database)
  const served = b.getOrSet(patientKey({ id: 42 }), slow.loader)
  await slow.running
  database.version = 2
  await a.invalidate(patientKey({ id: 42 }))
  slow.release()
  expect(await served).toEqual({ version: 1 }) // B's callers get what B read, as before
  await writesSettled(b)
  return { a, b, driver, database }
}

describe('fence: a load that started before an invalidation in another process does not write', () => {
  it('by default the stale write is refused and counted; the next read loads the committed row', async () => {
    const { a, b } = await race({})
    expect(b.stats()).toMatchObject({ fencedWrites: 1, sets: 0 })
    expect(await a.get(patientKey({ id: 42 }))).toBeUndefined()
    expect(await a.getOrSet(patientKey({ id: 42 }), () => ({ version: 2 }))).toEqual({ version: 2 })
    expect(await a.get(patientKey({ id: 42 }))).toEqual({ version: 2 })
  })

  it('with fence: false the race leaves the old row cached (what the fence prevents)', async () => {
    const { a } = await race({ fence: false })
    expect(await a.get(patientKey({ id: 42 }))).toEqual({ version: 1 })
  })

  it('a tombstone reads as a miss for get, has and getOrSet, and is not a corrupted entry', async () => {
    const { a, b, driver } = twoProcesses()
    await a.set(patientKey({ id: 1 }), { version: 1 })
    await a.invalidate(patientKey({ id: 1 }))
    expect(await driver.get('f:patient:1')).toMatch(/^@cf [A-Za-z0-9_-]{22}$/)
    expect(await driver.pttl('f:patient:1')).toBeGreaterThan(59_000)
    expect(await b.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await b.has(patientKey({ id: 1 }))).toBe(false)
    expect(await b.getOrSet(patientKey({ id: 1 }), () => ({ version: 2 }))).toEqual({ version: 2 })
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ version: 2 })
    expect(b.stats()).toMatchObject({ decodeFailures: 0, fencedWrites: 0, sets: 1 })
  })

  it('an invalidation of an absent key fences a load of it in flight', async () => {
    const { a, b, driver } = twoProcesses()
    const database = { version: 1 }
    const slow = slowLoad(database)
    const served = b.getOrSet(patientKey({ id: 7 }), slow.loader)
    await slow.running
    expect(await a.invalidate(patientKey({ id: 7 }))).toBe(0)
    slow.release()
    await served
    await writesSettled(b)
    expect(await driver.get('f:patient:7')).toMatch(/^@cf /)
  })

  it('without compareAndSet, a load that saw an empty key cannot write into the gap of a later load (the claim)', async () => {
    // B reads an empty key and the old row; A commits and invalidates; C (another process) loads
    // the new row and, between its compareAndDelete and its SET NX, the key is empty: B's late
    // write must not land there.
    const inner = memoryDriver()
    let onGap: (() => Promise<void>) | undefined
    const gapped: Driver = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (property === 'capabilities') return { ...target.capabilities, compareAndSet: false }
        if (property !== 'compareAndDelete') return typeof value === 'function' ? value.bind(target) : value
        return async (key: string, expected: string) => {
          const deleted = await target.compareAndDelete(key, expected)
          const hook = onGap
          onGap = undefined
          if (deleted && hook !== undefined) await hook()
          return deleted
        }
      },
    })
    const { a, b } = twoProcesses({}, gapped)
    const c = createCache({ env: false, logger: recordingLogger(), prefix: 'f', driver: gapped })
    const database = { version: 1 }
    const slow = slowLoad(database)
    const servedB = b.getOrSet(patientKey({ id: 12 }), slow.loader)
    await slow.running
    database.version = 2
    await a.invalidate(patientKey({ id: 12 }))
    onGap = async () => {
      slow.release()
      await servedB
      await writesSettled(b)
    }
    expect(await c.getOrSet(patientKey({ id: 12 }), () => ({ version: database.version }))).toEqual({ version: 2 })
    await writesSettled(c)
    expect(b.stats().fencedWrites).toBe(1)
    expect(await a.get(patientKey({ id: 12 }))).toEqual({ version: 2 })
  })

  it('a load that does not write gives its claim back: lookups of absent rows leave nothing behind', async () => {
    const { b, driver } = twoProcesses()
    expect(await b.getOrSet(patientKey({ id: 404 }), () => undefined)).toBeUndefined()
    await expect.poll(() => driver.exists(['f:patient:404'])).toBe(0)
    await expect(b.getOrSet(patientKey({ id: 500 }), () => Promise.reject(new Error('database down')))).rejects.toThrow('database down')
    await expect.poll(() => driver.exists(['f:patient:500'])).toBe(0)
  })

  it('two loads after one invalidation: one writes, the other finds the key taken', async () => {
    const { a, b } = twoProcesses()
    await a.set(patientKey({ id: 3 }), { version: 1 })
    await a.invalidate(patientKey({ id: 3 }))
    await Promise.all([a.getOrSet(patientKey({ id: 3 }), () => ({ version: 2 })), b.getOrSet(patientKey({ id: 3 }), () => ({ version: 2 }))])
    await expect.poll(() => a.stats().sets + b.stats().sets + a.stats().fencedWrites + b.stats().fencedWrites).toBe(3)
    expect(a.stats().sets + b.stats().sets).toBe(2) // the first set() and one of the loads
    expect(a.stats().fencedWrites + b.stats().fencedWrites).toBe(1)
  })

  it('a stale entry refreshed in grace is not overwritten after an invalidation', async () => {
    const clock = createFakeClock()
    const { a, b, driver } = twoProcesses({ clock, ttl: '1m', grace: '1h' }, memoryDriver({ clock }))
    await a.getOrSet(patientKey({ id: 5 }), () => ({ version: 1 }))
    clock.advance(61_000)
    const database = { version: 1 }
    const slow = slowLoad(database)
    const served = b.getOrSet(patientKey({ id: 5 }), slow.loader)
    await slow.running
    database.version = 2
    await a.invalidate(patientKey({ id: 5 }))
    slow.release()
    await served
    await writesSettled(b)
    expect(b.stats().fencedWrites).toBe(1)
    expect(await driver.get('f:patient:5')).toMatch(/^@cf /)
  })

  it('deletePattern fences the keys it finds', async () => {
    const { a, b, driver } = twoProcesses()
    await a.set(patientKey({ id: 8 }), { version: 1 })
    await a.invalidate(patientKey({ id: 8 }))
    const slow = slowLoad({ version: 1 })
    const served = b.getOrSet(patientKey({ id: 8 }), slow.loader) // observes the first tombstone
    await slow.running
    await a.deletePattern(patientKey.pattern({}))
    slow.release()
    await served
    await writesSettled(b)
    expect(b.stats().fencedWrites).toBe(1)
    expect(await a.get(patientKey({ id: 8 }))).toBeUndefined()
    expect(await driver.get('f:patient:8')).toMatch(/^@cf /)
  })

  it('tag tokens are read before the loader runs, so an invalidateTags() during the load wins', async () => {
    const inner = memoryDriver()
    let tokenReads = 0
    let loaderStartedAfter = -1
    const driver: Driver = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (property !== 'mget' && property !== 'get') return typeof value === 'function' ? value.bind(target) : value
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
          if (JSON.stringify(args).includes('cachette:tag:')) tokenReads++
          return result
        }
      },
    })
    const { a, b } = twoProcesses({}, driver)
    const database = { version: 1 }
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const served = b.getOrSet(
      patientKey({ id: 9 }),
      async () => {
        loaderStartedAfter = tokenReads
        const read = { version: database.version }
        await gate
        return read
      },
      { tags: ['ward:3'] },
    )
    await expect.poll(() => loaderStartedAfter).toBeGreaterThanOrEqual(0)
    expect(loaderStartedAfter).toBeGreaterThan(0)
    database.version = 2
    await a.invalidateTags(['ward:3'])
    release()
    await served
    await writesSettled(b)
    expect(await a.get(patientKey({ id: 9 }))).toBeUndefined()
  })

  it('a load that outlives the fence TTL is returned but not written', async () => {
    const { b } = twoProcesses({ fence: { ttl: '1s' }, deadlineMs: 50 })
    const value = await b.getOrSet(patientKey({ id: 11 }), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      return { version: 1 }
    })
    expect(value).toEqual({ version: 1 })
    await writesSettled(b)
    expect(b.stats()).toMatchObject({ fencedWrites: 1, sets: 0 })
  })

  it('a bytes codec reads a tombstone as a miss too', async () => {
    const raw: Codec<Uint8Array> = { name: 'raw', format: 'bytes', encode: (value) => value, decode: (payload) => payload }
    const { a, b } = twoProcesses({ codec: raw })
    await a.set('blob', new Uint8Array([1, 2, 3]))
    await a.invalidate('blob')
    expect(await b.get('blob')).toBeUndefined()
    expect(await b.getOrSet('blob', () => new Uint8Array([4]))).toEqual(new Uint8Array([4]))
    expect(await a.get('blob')).toEqual(new Uint8Array([4]))
    expect(b.stats().decodeFailures).toBe(0)
  })

  it('refuses a fence TTL too short for the deadline, and anything but false or { ttl }', () => {
    expect(() => createCache({ env: false, fence: { ttl: '500ms' } })).toThrow(/fence\.ttl: must be at least 1000 ms/)
    expect(() => createCache({ env: false, fence: { ttl: '2s' }, deadlineMs: 1_000 })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, fence: true as unknown as false })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, fence: { ttl: '5m' } })).not.toThrow()
  })
})
