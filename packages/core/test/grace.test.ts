import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { defineKey, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'

const patientKey = defineKey('patient:{id}')
const failing = () => Promise.reject(new Error('database unavailable'))

function graceCache(options: Parameters<typeof testCache>[0] = {}) {
  const clock = createFakeClock()
  const driver = memoryDriver({ clock })
  const staleEvents: string[] = []
  const { cache, logger } = testCache({
    driver,
    clock,
    prefix: 'g',
    ttl: '1m',
    grace: '1h',
    graceBackoff: '10s',
    events: { staleHit: (event) => staleEvents.push(event.keyPrefix) },
    ...options,
  })
  return { cache, clock, driver, staleEvents, logger }
}

describe('stale-if-error grace', () => {
  it('stores the entry for TTL + grace and records when it stops being fresh', async () => {
    const { cache, clock, driver } = graceCache()
    await cache.getOrSet(patientKey({ id: 1 }), () => ({ id: 1 }))
    expect(await driver.pttl('g:patient:1')).toBe(60_000 + 3_600_000)
    const raw = (await driver.get('g:patient:1')) as string
    const meta = JSON.parse(raw.slice(4, raw.indexOf('\n'))) as { f: number; d: number }
    expect(meta.f).toBe(clock.now() + 60_000)
    expect(typeof meta.d).toBe('number')
  })

  it('a fresh entry is a hit; past its TTL the loader refreshes it', async () => {
    const { cache, clock } = graceCache()
    let version = 1
    const load = () => ({ version })
    expect(await cache.getOrSet(patientKey({ id: 1 }), load)).toEqual({ version: 1 })
    version = 2
    clock.advance(59_999)
    expect(await cache.getOrSet(patientKey({ id: 1 }), load)).toEqual({ version: 1 })
    clock.advance(1)
    expect(await cache.getOrSet(patientKey({ id: 1 }), load)).toEqual({ version: 2 })
    expect(cache.stats()).toMatchObject({ loaderCalls: 2, staleHits: 0 })
  })

  it('serves the last good value, marked stale, when the loader fails', async () => {
    const { cache, clock, staleEvents } = graceCache()
    await cache.getOrSet(patientKey({ id: 1 }), () => 'good')
    clock.advance(61_000)
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrSet(patientKey({ id: 1 }), failing)))
    expect(results).toEqual(Array.from({ length: 10 }, () => 'good'))
    expect(cache.stats()).toMatchObject({ loaderCalls: 2, loaderErrors: 1, staleHits: 1 })
    expect(staleEvents).toEqual(['g:patient'])
  })

  it('with the source failing, callers keep the last good value and the loader is called once per back-off', async () => {
    const { cache, clock } = graceCache({ graceBackoff: '10s' })
    await cache.getOrSet(patientKey({ id: 1 }), () => 'good')
    clock.advance(60_000)
    let attempts = 0
    const failingSource = () => {
      attempts++
      return failing()
    }
    const seen = new Set<unknown>()
    // Two minutes of traffic, a call every 500 ms.
    for (let step = 0; step < 240; step++) {
      seen.add(await cache.getOrSet(patientKey({ id: 1 }), failingSource))
      clock.advance(500)
    }
    expect([...seen]).toEqual(['good'])
    // At t = 0, 10 s, 20 s ... 110 s: twelve attempts, counted from each failure.
    expect(attempts).toBe(12)
    expect(cache.stats().staleHits).toBe(240)
  })

  it('calls the loader again once the back-off has passed, and a success ends the back-off', async () => {
    const { cache, clock } = graceCache({ graceBackoff: '10s' })
    await cache.getOrSet(patientKey({ id: 1 }), () => 'v1')
    clock.advance(60_000)
    expect(await cache.getOrSet(patientKey({ id: 1 }), failing)).toBe('v1')
    clock.advance(9_999)
    let calls = 0
    const recovered = () => {
      calls++
      return 'v2'
    }
    expect(await cache.getOrSet(patientKey({ id: 1 }), recovered)).toBe('v1')
    expect(calls).toBe(0)
    clock.advance(1)
    expect(await cache.getOrSet(patientKey({ id: 1 }), recovered)).toBe('v2')
    expect(await cache.getOrSet(patientKey({ id: 1 }), recovered)).toBe('v2')
    expect(calls).toBe(1)
  })

  it('the back-off is per key', async () => {
    const { cache, clock } = graceCache()
    await cache.getOrSet(patientKey({ id: 1 }), () => 'one')
    await cache.getOrSet(patientKey({ id: 2 }), () => 'two')
    clock.advance(60_000)
    expect(await cache.getOrSet(patientKey({ id: 1 }), failing)).toBe('one')
    expect(await cache.getOrSet(patientKey({ id: 2 }), () => 'two, fresh')).toBe('two, fresh')
  })

  it('without a stale value (grace over, or never cached) the loader error reaches the caller', async () => {
    const { cache, clock } = graceCache()
    await expect(cache.getOrSet(patientKey({ id: 1 }), failing)).rejects.toThrow('database unavailable')
    await cache.getOrSet(patientKey({ id: 1 }), () => 'good')
    clock.advance(60_000 + 3_600_000 + 1)
    await expect(cache.getOrSet(patientKey({ id: 1 }), failing)).rejects.toThrow('database unavailable')
  })

  it('get() and has() read a stale entry as a miss', async () => {
    const { cache, clock } = graceCache()
    await cache.set(patientKey({ id: 1 }), 'good')
    expect(await cache.get(patientKey({ id: 1 }))).toBe('good')
    clock.advance(60_000)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.has(patientKey({ id: 1 }))).toBe(false)
    // ...but set() wrote it with grace, so getOrSet can still fall back on it.
    expect(await cache.getOrSet(patientKey({ id: 1 }), failing)).toBe('good')
  })

  it('never serves an entry that was invalidated, by key or by tag', async () => {
    const taggedKey = defineKey('tagged:{id}', { tags: ({ id }) => [`t:${String(id)}`] })
    const { cache, clock } = graceCache()
    await cache.getOrSet(patientKey({ id: 1 }), () => 'old')
    await cache.getOrSet(taggedKey({ id: 1 }), () => 'old')
    clock.advance(60_000)
    await cache.invalidate(patientKey({ id: 1 }))
    await cache.invalidateTags(['t:1'])
    await expect(cache.getOrSet(patientKey({ id: 1 }), failing)).rejects.toThrow('database unavailable')
    await expect(cache.getOrSet(taggedKey({ id: 1 }), failing)).rejects.toThrow('database unavailable')
    expect(cache.stats().staleHits).toBe(0)
  })

  it('is set per key and per call; false turns an inherited grace off', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = testCache({ driver, clock, prefix: 'p', ttl: '1m' })
    const withGrace = defineKey('with:{id}', { grace: '10m' })
    await cache.getOrSet(withGrace({ id: 1 }), () => 1)
    await cache.getOrSet(patientKey({ id: 1 }), () => 1, { grace: '5m' })
    await cache.getOrSet(patientKey({ id: 2 }), () => 1)
    expect(await driver.pttl('p:with:1')).toBe(660_000)
    expect(await driver.pttl('p:patient:1')).toBe(360_000)
    expect(await driver.pttl('p:patient:2')).toBe(60_000)

    const { cache: graceful, driver: graceDriver } = graceCache()
    const noGrace = defineKey('nograce:{id}', { grace: false })
    await graceful.getOrSet(noGrace({ id: 1 }), () => 1)
    expect(await graceDriver.pttl('g:nograce:1')).toBe(60_000)
    expect(await graceDriver.get('g:nograce:1')).toBe('@c1\n1')
  })

  it('caps TTL + grace at maxTtl', async () => {
    const { cache, driver } = graceCache({ maxTtl: '30m', ttl: '20m' })
    await cache.getOrSet(patientKey({ id: 1 }), () => 1)
    expect(await driver.pttl('g:patient:1')).toBe(1_800_000)
  })

  it('rejects invalid grace options with a readable message', () => {
    expect(() => testCache({ grace: 'forever' as never })).toThrow(/grace: expected a duration/)
    expect(() => defineKey('x:{id}', { graceBackoff: -1 as never })).toThrow(/graceBackoff/)
    const { cache } = graceCache()
    return expect(cache.getOrSet('k', () => 1, { grace: 'x' as never })).rejects.toThrow(/call options are invalid: grace/)
  })

  it('with the store down the stale value cannot be read: the loader answers', async () => {
    const clock = createFakeClock()
    const driver = chaosDriver(memoryDriver({ clock }))
    const { cache } = testCache({ driver, clock, ttl: '1m', grace: '1h' })
    await cache.getOrSet('k', () => 'good')
    clock.advance(60_000)
    driver.chaos.set({ failureRate: 1 })
    // The stale value lives in the store: with the store down it cannot be read, the loader answers.
    expect(await cache.getOrSet('k', () => 'from loader')).toBe('from loader')
  })
})

describe('stale-while-revalidate', () => {
  it('answers at once with the stale value and refreshes in the background, one loader run for many callers', async () => {
    const { cache, clock } = graceCache({ staleWhileRevalidate: true })
    await cache.getOrSet(patientKey({ id: 1 }), () => 'v1')
    clock.advance(60_000)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    const slow = async () => {
      calls++
      await gate
      return 'v2'
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet(patientKey({ id: 1 }), slow)))
    expect(answers.every((answer) => answer === 'v1')).toBe(true)
    expect(calls).toBe(1)
    release()
    await expect.poll(() => cache.get(patientKey({ id: 1 }))).toBe('v2')
    expect(await cache.getOrSet(patientKey({ id: 1 }), slow)).toBe('v2')
    expect(calls).toBe(1)
    // The 20 concurrent callers shared one flight: one stale answer, counted once.
    expect(cache.stats()).toMatchObject({ refreshes: 1, staleHits: 1 })
  })

  it('a failing background refresh backs off and keeps serving the stale value', async () => {
    const { cache, clock } = graceCache({ staleWhileRevalidate: true, graceBackoff: '10s' })
    await cache.getOrSet(patientKey({ id: 1 }), () => 'v1')
    clock.advance(60_000)
    let calls = 0
    const broken = () => {
      calls++
      return failing()
    }
    expect(await cache.getOrSet(patientKey({ id: 1 }), broken)).toBe('v1')
    await expect.poll(() => cache.stats().loaderErrors).toBe(1)
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet(patientKey({ id: 1 }), broken)).toBe('v1')
    expect(calls).toBe(1)
    clock.advance(10_000)
    expect(await cache.getOrSet(patientKey({ id: 1 }), broken)).toBe('v1')
    await expect.poll(() => calls).toBe(2)
  })
})
