/**
 * `l1: { tracking }`: the memory tier told by the store (Redis CLIENT TRACKING through the
 * driver's trackInvalidations) which keys changed. Here the driver is the memory driver with a
 * hand-driven tracking stream, so each report, flush and connection change is the test's to
 * make; @cachette/redis's tests run the same against a real redis-server.
 */
import { describe, expect, it, vi } from 'vitest'
import { createCache, defineKey, InvalidOptionsError, memoryDriver, type Driver, type TrackingOptions } from '../src/index.js'
import { randomPrefix, recordingLogger } from './support/cache.js'

const patientKey = defineKey('patient:{id}', { tags: ({ id }) => [`patient:${id}`] })

/** The memory driver with a tracking stream the test drives. */
function trackingDriver(options: { failStarts?: number } = {}) {
  const driver = memoryDriver()
  let failures = options.failStarts ?? 0
  const stream = {
    listener: undefined as ((keys: readonly string[] | null) => void) | undefined,
    options: undefined as TrackingOptions | undefined,
    starts: 0,
    stopped: 0,
  }
  const tracked: Driver = Object.assign(Object.create(driver) as Driver, {
    capabilities: { ...driver.capabilities, tracking: true },
    async trackInvalidations(listener: (keys: readonly string[] | null) => void, trackingOptions?: TrackingOptions) {
      stream.starts++
      if (failures-- > 0) throw new Error('tracking refused')
      stream.listener = listener
      stream.options = trackingOptions
      return async () => {
        stream.stopped++
      }
    },
  })
  return { driver: tracked, raw: driver, stream }
}

function cacheOn(driver: Driver, l1: object, prefix = randomPrefix()) {
  return { cache: createCache({ env: false, logger: recordingLogger(), driver, prefix, ttl: '10m', l1 }), prefix }
}

describe('client-side caching (l1: { tracking })', () => {
  it('is refused on a driver without tracking, in broadcast mode without a prefix, and beside the bus', () => {
    expect(() => createCache({ env: false, driver: memoryDriver(), prefix: 'p', l1: { tracking: true } })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, driver: memoryDriver(), prefix: 'p', l1: { tracking: true } })).toThrow(/l1\.tracking: client-side caching needs a driver with tracking/)
    const { driver } = trackingDriver()
    expect(() => createCache({ env: false, driver, l1: { tracking: { broadcast: true } } })).toThrow(/broadcast mode tracks the cache's prefix/)
    expect(() => createCache({ env: false, driver, prefix: 'p', l1: { tracking: true, bus: true } })).toThrow(/pick one/)
  })

  it('serves from memory only once tracking is on, in default mode (no prefixes)', async () => {
    const { driver, stream } = trackingDriver()
    const { cache } = cacheOn(driver, { tracking: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    expect(stream.options?.prefixes).toBeUndefined()
    expect(typeof stream.options?.onConnectionChange).toBe('function')
    expect(cache.stats().l1?.busPublished).toBe(0)
    await cache.close()
    expect(stream.stopped).toBe(1)
  })

  it('drops a key the store reports changed: the next read sees the value written behind its back', async () => {
    const { driver, raw, stream } = trackingDriver()
    const { cache, prefix } = cacheOn(driver, { tracking: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    await cache.getOrSet(patientKey({ id: 1 }), () => ({ v: 1 }))
    await cache.get(patientKey({ id: 1 })) // read back: now in memory
    // Another service rewrites the entry; until Redis reports it, the memory tier still answers.
    const entry = await raw.get(`${prefix}:patient:1`)
    await raw.set(`${prefix}:patient:1`, (entry as string).replace('"v":1', '"v":2'))
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    stream.listener?.([`${prefix}:patient:1`])
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    expect(cache.stats().l1?.trackingReports).toBe(1)
  })

  it('drops every entry of a tag whose token key is reported, and everything on a flush', async () => {
    const { driver, stream } = trackingDriver()
    const { cache, prefix } = cacheOn(driver, { tracking: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    for (const id of [1, 2]) {
      await cache.getOrSet(patientKey({ id }), () => ({ id }))
      await cache.get(patientKey({ id }))
    }
    const entries = () => cache.stats().l1?.entries
    expect(entries()).toBe(2)
    stream.listener?.([`${prefix}:cachette:tag:patient:1`])
    expect(entries()).toBe(1)
    stream.listener?.(null)
    expect(entries()).toBe(0)
  })

  it('keeps no value of its own writes in default mode, and keeps them in broadcast mode', async () => {
    const defaultMode = trackingDriver()
    const a = cacheOn(defaultMode.driver, { tracking: true }).cache
    const broadcast = trackingDriver()
    const { cache: b, prefix } = cacheOn(broadcast.driver, { tracking: { broadcast: true } })
    await vi.waitFor(() => expect(a.stats().l1?.serving && b.stats().l1?.serving).toBe(true))
    expect(broadcast.stream.options?.prefixes).toEqual([`${prefix}:`])
    await a.set(patientKey({ id: 1 }), { v: 1 })
    await b.set(patientKey({ id: 1 }), { v: 1 })
    expect(a.stats().l1?.entries).toBe(0) // Redis would not report a later change of a key this process never read
    expect(b.stats().l1?.entries).toBe(1)
  })

  it('stops serving when tracking is lost, and serves only entries stored after it is back', async () => {
    const { driver, raw, stream } = trackingDriver()
    const { cache, prefix } = cacheOn(driver, { tracking: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    await cache.getOrSet(patientKey({ id: 1 }), () => ({ v: 1 }))
    await cache.get(patientKey({ id: 1 }))
    stream.options?.onConnectionChange?.(false)
    expect(cache.stats().l1?.serving).toBe(false)
    // Changed while reports could not arrive: the store answers, not the memory tier.
    const entry = await raw.get(`${prefix}:patient:1`)
    await raw.set(`${prefix}:patient:1`, (entry as string).replace('"v":1', '"v":2'))
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    stream.options?.onConnectionChange?.(true)
    const hitsBefore = cache.stats().l1?.hits ?? 0
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 }) // a store read: the old entry is never a hit again
    expect(cache.stats().l1?.hits).toBe(hitsBefore)
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    expect(cache.stats().l1?.hits).toBe(hitsBefore + 1)
  })

  it('starts tracking again after a refusal, and does not serve until then', async () => {
    const { driver, stream } = trackingDriver({ failStarts: 2 })
    const logger = recordingLogger()
    const cache = createCache({ env: false, logger, driver, prefix: randomPrefix(), l1: { tracking: true } })
    expect(cache.stats().l1?.serving).toBe(false)
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true), { timeout: 2_000 })
    expect(stream.starts).toBe(3)
    await cache.close()
  })
})
