import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it, vi } from 'vitest'
import { createCache, defineKey, InvalidOptionsError, memoryDriver, type CacheEvent, type Driver, type Duration } from '../src/index.js'
import { flakyBus } from './support/flaky-bus.js'
import { cacheKit } from '../src/kit.js'
import { randomPrefix, recordingLogger } from './support/cache.js'

const patientKey = defineKey('patient:{id}')

/** Two "processes": two caches with a memory tier each, on one store (the memory driver's pub/sub is the bus). */
function twoProcesses(options: { driver?: Driver; l1?: object; grace?: Duration; clock?: ReturnType<typeof createFakeClock> } = {}) {
  const clock = options.clock ?? createFakeClock()
  const driver = options.driver ?? memoryDriver({ clock })
  const prefix = randomPrefix()
  const make = () => createCache({ env: false, logger: recordingLogger(), driver, prefix, clock, ttl: '10m', l1: options.l1 ?? true, ...(options.grace === undefined ? {} : { grace: options.grace }) })
  return { a: make(), b: make(), driver, clock, prefix }
}

/** Lets the bus deliver (the memory driver delivers in microtasks; the publish itself is a store call). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('two tiers: the memory tier', () => {
  it('answers a repeated read from memory without asking the store', async () => {
    const { a, driver } = twoProcesses()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    const commands = async () => (await driver.info()).totalCommands ?? Number.NaN
    const before = await commands()
    expect(await a.getOrSet(patientKey({ id: 1 }), () => ({ v: 1 }))).toEqual({ v: 1 })
    const afterMiss = await commands()
    expect(afterMiss - before).toBeGreaterThan(1) // its GET, the write and the bus publish (plus this INFO)
    expect(await a.getOrSet(patientKey({ id: 1 }), () => ({ v: 2 }))).toEqual({ v: 1 })
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    expect(await a.has(patientKey({ id: 1 }))).toBe(true)
    expect((await commands()) - afterMiss).toBe(1) // only this INFO: the store was not asked
    expect(a.stats()).toMatchObject({ hits: 2, misses: 1, loaderCalls: 1, l1: { hits: 2, entries: 1 } })
  })

  it('hands each caller its own copy (a caller changing its value changes nothing cached)', async () => {
    const { a } = twoProcesses()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    await a.set(patientKey({ id: 1 }), { v: 1 })
    const first = await a.get(patientKey({ id: 1 }))
    ;(first as { v: number }).v = 99
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
  })

  it('says which tier answered in events', async () => {
    const { a } = twoProcesses()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    const events: CacheEvent[] = []
    a.on('hit', (event) => events.push(event))
    a.on('miss', (event) => events.push(event))
    await a.getOrSet(patientKey({ id: 1 }), () => ({ v: 1 }))
    await a.getOrSet(patientKey({ id: 1 }), () => ({ v: 1 }))
    await a.invalidate(patientKey({ id: 1 }))
    await a.set(patientKey({ id: 1 }), { v: 2 })
    expect(events.map((event) => [event.type, event.tier])).toEqual([
      ['miss', 'store'],
      ['hit', 'l1'],
    ])
  })

  it('serves an entry no longer than its own TTL, and no longer than the L1 TTL', async () => {
    const { a, clock } = twoProcesses({ l1: { ttl: '30s' } })
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    let version = 0
    const load = () => ({ v: ++version })
    await a.getOrSet(patientKey({ id: 1 }), load, { ttl: '5s' })
    clock.advance(4_999)
    expect(await a.getOrSet(patientKey({ id: 1 }), load, { ttl: '5s' })).toEqual({ v: 1 })
    clock.advance(1)
    expect(await a.getOrSet(patientKey({ id: 1 }), load, { ttl: '5s' })).toEqual({ v: 2 })
    // 1 minute TTL, 30 s in memory: at 30 s the store is asked again (and still has it).
    await a.getOrSet(patientKey({ id: 2 }), load, { ttl: '1m' })
    const hitsBefore = a.stats().l1?.hits ?? 0
    clock.advance(30_000)
    expect(await a.getOrSet(patientKey({ id: 2 }), load, { ttl: '1m' })).toEqual({ v: 3 })
    expect(a.stats().l1?.hits).toBe(hitsBefore)
    expect(a.stats().hits).toBeGreaterThan(0)
  })

  it('evicts the least recently used past maxEntries', async () => {
    const { a } = twoProcesses({ l1: { maxEntries: 3 } })
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    for (let id = 1; id <= 3; id++) await a.set(patientKey({ id }), { v: id })
    await a.get(patientKey({ id: 1 })) // used: gets a second chance
    await a.set(patientKey({ id: 4 }), { v: 4 })
    expect(a.stats().l1).toMatchObject({ entries: 3, evictions: 1 })
    const before = a.stats().l1?.hits ?? 0
    await a.get(patientKey({ id: 1 }))
    expect(a.stats().l1?.hits).toBe(before + 1)
    await a.get(patientKey({ id: 2 })) // evicted: answered by the store
    expect(a.stats().l1?.hits).toBe(before + 1)
  })

  it('refuses a bus on a driver without pub/sub, and takes l1: { bus: false }', () => {
    const inner = memoryDriver()
    const noPubSub = new Proxy(inner, { get: (target, property) => (property === 'capabilities' ? { ...target.capabilities, pubsub: false } : Reflect.get(target, property)) })
    expect(() => createCache({ env: false, driver: noPubSub, l1: true })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, driver: noPubSub, l1: true })).toThrow(/l1: the invalidation bus needs a driver with pub\/sub/)
    const cache = createCache({ env: false, driver: noPubSub, l1: { bus: false } })
    expect(cache.stats().l1?.serving).toBe(true)
    expect(() => createCache({ env: false, l1: { maxEntries: 0 } })).toThrow(/l1\.maxEntries/)
    expect(() => createCache({ env: false, l1: { ttl: 0 } })).toThrow(/l1\.ttl/)
  })
})

describe('two tiers: the invalidation bus', () => {
  async function warm() {
    const processes = twoProcesses()
    const { a, b } = processes
    await vi.waitFor(() => expect(a.stats().l1?.serving && b.stats().l1?.serving).toBe(true))
    await b.set(patientKey({ id: 1 }), { v: 1 }, { tags: ['ward:1'] })
    await b.set(patientKey({ id: 2 }), { v: 2 }, { tags: ['ward:2'] })
    // a reads both into its memory tier.
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    expect(await a.get(patientKey({ id: 2 }))).toEqual({ v: 2 })
    expect(a.stats().l1?.entries).toBe(2)
    return processes
  }

  it('a write in one process replaces the value in the other', async () => {
    const { a, b } = await warm()
    await b.set(patientKey({ id: 1 }), { v: 10 })
    await settle()
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 10 })
    expect(await a.get(patientKey({ id: 2 }))).toEqual({ v: 2 })
    expect(a.stats().l1?.busReceived).toBeGreaterThan(0)
  })

  it.each([
    ['invalidate', (b: ReturnType<typeof twoProcesses>['b']) => b.invalidate(patientKey({ id: 1 }))],
    ['deletePattern', (b: ReturnType<typeof twoProcesses>['b']) => b.deletePattern('patient:1')],
    ['deletePattern (KeyPattern)', (b: ReturnType<typeof twoProcesses>['b']) => b.deletePattern(patientKey.pattern({ id: 1 }))],
    ['invalidateTags', (b: ReturnType<typeof twoProcesses>['b']) => b.invalidateTags(['ward:1'])],
    ['expire', (b: ReturnType<typeof twoProcesses>['b']) => b.expire(patientKey({ id: 1 }))],
    ['expireTags', (b: ReturnType<typeof twoProcesses>['b']) => b.expireTags(['ward:1'])],
  ])('%s in one process: the other stops serving the old value, and keeps the rest', async (_, invalidate) => {
    const { a, b } = await warm()
    await invalidate(b)
    await settle()
    expect(await a.get(patientKey({ id: 1 }))).toBeUndefined()
    const hits = a.stats().l1?.hits ?? 0
    expect(await a.get(patientKey({ id: 2 }))).toEqual({ v: 2 })
    expect(a.stats().l1?.hits).toBe(hits + 1)
  })

  it("a domain package's kit.invalidate drops the cache's memory copies too, here and in the other process", async () => {
    const { a, b } = await warm()
    expect(await b.get(patientKey({ id: 1 }))).toEqual({ v: 1 }) // b holds it in memory too
    const kit = cacheKit(b, { name: '@x/patients', label: 'patients' })
    await expect(kit.invalidate([kit.storeKey(patientKey({ id: 1 }))])).resolves.toBe('invalidated')
    await settle()
    expect(await b.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await a.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(kit.stats().l1?.busPublished).toBeGreaterThan(0)
  })

  it('clear() empties every tier of every process', async () => {
    const { a, b } = await warm()
    expect(await b.clear()).toBeGreaterThanOrEqual(2)
    await settle()
    expect(a.stats().l1?.entries).toBe(0)
    expect(await a.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await a.get(patientKey({ id: 2 }))).toBeUndefined()
  })

  it('a process ignores its own messages', async () => {
    const { a } = twoProcesses()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    await a.set(patientKey({ id: 1 }), { v: 1 })
    await settle()
    expect(a.stats().l1).toMatchObject({ busPublished: 1, busReceived: 0, entries: 1 })
  })

  it('never carries a value on the bus', async () => {
    const { a, driver, prefix } = twoProcesses()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    const messages: string[] = []
    await driver.subscribe(`${prefix}:cachette:bus`, (message) => messages.push(message))
    await a.set(patientKey({ id: 1 }), { v: 424242 }, { tags: ['ward:1'] })
    await a.invalidateTags(['ward:1'])
    await settle()
    expect(messages.length).toBe(2)
    expect(messages.join('\n')).not.toContain('424242')
    expect(JSON.parse(messages[0] as string)).toMatchObject({ v: 1, k: [`${prefix}:patient:1`] })
    expect(JSON.parse(messages[1] as string)).toMatchObject({ v: 1, t: ['ward:1'] })
  })

  it('stops serving while the bus is cut, so an invalidation missed meanwhile is never served', async () => {
    const inner = memoryDriver()
    const flaky = flakyBus(inner)
    const { a, b } = twoProcesses({ driver: flaky.driver })
    await vi.waitFor(() => expect(a.stats().l1?.serving && b.stats().l1?.serving).toBe(true))
    await b.set(patientKey({ id: 1 }), { v: 1 })
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    flaky.cut()
    expect(a.stats().l1?.serving).toBe(false)
    // b's message is lost; a asks the store instead of its memory.
    await b.set(patientKey({ id: 1 }), { v: 2 })
    await settle()
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    await flaky.restore()
    expect(a.stats().l1?.serving).toBe(true)
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    // Entries from before the cut are never hits again; new ones are.
    const hits = a.stats().l1?.hits ?? 0
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    expect(a.stats().l1?.hits).toBe(hits + 1)
  })

  it('publishes again what could not be published, once the store takes it', async () => {
    const driver = chaosDriver(memoryDriver(), { failureRate: 1, methods: ['publish'] })
    const { a, b } = twoProcesses({ driver })
    await vi.waitFor(() => expect(a.stats().l1?.serving && b.stats().l1?.serving).toBe(true))
    await b.set(patientKey({ id: 1 }), { v: 1 })
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    await b.invalidate(patientKey({ id: 1 }))
    await b.invalidate(patientKey({ id: 1 }))
    await settle()
    expect(b.stats().l1?.busPending).toBe(1) // per key: the latest announcement only
    expect(b.stats().l1?.busPublishFailures).toBeGreaterThan(0)
    driver.chaos.heal()
    await vi.waitFor(() => expect(b.stats().l1?.busPending).toBe(0), { timeout: 5_000 })
    await settle()
    expect(await a.get(patientKey({ id: 1 }))).toBeUndefined()
  })
})

describe('two tiers: the store unreachable', () => {
  it('getOrSet serves the memory copy as stale within grace, and does not call the loader', async () => {
    const clock = createFakeClock()
    const driver = chaosDriver(memoryDriver({ clock }))
    const { a } = twoProcesses({ driver, clock, grace: '1h', l1: { ttl: '10s' } })
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    const loader = vi.fn(async () => ({ v: 1 }))
    await a.getOrSet(patientKey({ id: 1 }), loader)
    driver.chaos.set({ failureRate: 1 })
    clock.advance(20_000) // past the L1 TTL
    const results = await Promise.all(Array.from({ length: 20 }, () => a.getOrSet(patientKey({ id: 1 }), loader)))
    expect(results).toEqual(Array.from({ length: 20 }, () => ({ v: 1 })))
    expect(loader).toHaveBeenCalledTimes(1)
    expect(a.stats().l1?.staleHits).toBeGreaterThan(0)
    // get() serves it only within the entry's own TTL (10 min), never from grace.
    expect(await a.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    clock.advance(11 * 60_000)
    expect(await a.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await a.getOrSet(patientKey({ id: 1 }), loader)).toEqual({ v: 1 })
    expect(loader).toHaveBeenCalledTimes(1)
  })
})

describe('soft expiry and clear (one tier)', () => {
  function oneTier() {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const cache = createCache({ env: false, logger: recordingLogger(), driver, prefix: randomPrefix(), clock, ttl: '10m', grace: '1h' })
    return { cache, driver, clock }
  }

  it('expire() keeps the entry for grace: the loader runs, and the old value is served if it fails', async () => {
    const { cache } = oneTier()
    await cache.set(patientKey({ id: 1 }), { v: 1 })
    expect(await cache.expire(patientKey({ id: 1 }))).toBe(1)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('source down')))).toEqual({ v: 1 })
  })

  it('expire() then a working loader refreshes the entry', async () => {
    const { cache } = oneTier()
    await cache.set(patientKey({ id: 1 }), { v: 1 })
    await cache.expire(patientKey({ id: 1 }))
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => ({ v: 2 }))).toEqual({ v: 2 })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
  })

  it('expire() of an absent key resolves 0', async () => {
    const { cache } = oneTier()
    expect(await cache.expire([patientKey({ id: 1 }), patientKey({ id: 2 })])).toBe(0)
  })

  it('expireTags() makes tagged entries stale, not gone; invalidateTags() makes them gone', async () => {
    const { cache } = oneTier()
    await cache.set(patientKey({ id: 1 }), { v: 1 }, { tags: ['ward:1'] })
    await cache.set(patientKey({ id: 2 }), { v: 2 }, { tags: ['ward:2'] })
    await cache.expireTags(['ward:1'])
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.get(patientKey({ id: 2 }))).toEqual({ v: 2 })
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('down')))).toEqual({ v: 1 })
    // A write after the expiry is fresh again.
    await cache.set(patientKey({ id: 3 }), { v: 3 }, { tags: ['ward:1'] })
    expect(await cache.get(patientKey({ id: 3 }))).toEqual({ v: 3 })
    await cache.invalidateTags(['ward:1'])
    await expect(cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('down')))).rejects.toThrow('down')
  })

  it('clear() deletes every entry of the prefix and nothing else', async () => {
    const { cache, driver } = oneTier()
    await driver.set('other:key', 'kept')
    await cache.set(patientKey({ id: 1 }), { v: 1 }, { tags: ['ward:1'] })
    await cache.set(patientKey({ id: 2 }), { v: 2 })
    expect(await cache.clear()).toBe(3) // two entries and one tag token
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await driver.get('other:key')).toBe('kept')
  })

  it('clear() is refused without a prefix', async () => {
    const cache = createCache({ env: false, driver: memoryDriver() })
    await expect(cache.clear()).rejects.toThrow(InvalidOptionsError)
  })
})
