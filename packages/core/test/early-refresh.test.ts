import { createFakeClock } from '@cachette/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineKey, memoryDriver, shouldRefreshEarly } from '../src/index.js'
import { testCache } from './support/cache.js'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('shouldRefreshEarly (XFetch)', () => {
  const freshUntil = 1_000_000

  it('never refreshes with beta 0, always once the entry is no longer fresh', () => {
    expect(shouldRefreshEarly(freshUntil - 1, freshUntil, 1_000, 0, 0.000001)).toBe(false)
    expect(shouldRefreshEarly(freshUntil, freshUntil, 10, 1, 0.999)).toBe(true)
  })

  it('refreshes when now - loadMs * beta * ln(random) reaches the end of freshness', () => {
    // -ln(0.5) = 0.693: a 100 ms loader gets a 69.3 ms head start.
    expect(shouldRefreshEarly(freshUntil - 69, freshUntil, 100, 1, 0.5)).toBe(true)
    expect(shouldRefreshEarly(freshUntil - 70, freshUntil, 100, 1, 0.5)).toBe(false)
    // beta 2 doubles it.
    expect(shouldRefreshEarly(freshUntil - 138, freshUntil, 100, 2, 0.5)).toBe(true)
  })

  it('the chance rises as expiry nears and is larger for slower loaders', () => {
    const chance = (msBefore: number, loadMs: number) => {
      let refreshed = 0
      for (let i = 1; i <= 1_000; i++) if (shouldRefreshEarly(freshUntil - msBefore, freshUntil, loadMs, 1, i / 1_001)) refreshed++
      return refreshed / 1_000
    }
    expect(chance(1_000, 100)).toBeLessThan(chance(100, 100))
    expect(chance(100, 100)).toBeLessThan(chance(10, 100))
    expect(chance(100, 10)).toBeLessThan(chance(100, 100))
    expect(chance(60_000, 100)).toBe(0)
  })
})

describe('early refresh in getOrSet', () => {
  const reportKey = defineKey('report:{id}', { earlyRefresh: true })

  async function warmed() {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = testCache({ driver, clock, ttl: '1m', prefix: 'e' })
    let version = 1
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 20))
      return `v${version}`
    }
    expect(await cache.getOrSet(reportKey({ id: 1 }), loader)).toBe('v1')
    version = 2
    return { cache, clock, driver, loader, calls: () => calls }
  }

  it('near expiry, a hit answers with the current value and refreshes it in the background, once for many callers', async () => {
    const { cache, clock, loader, calls } = await warmed()
    clock.advance(60_000 - 5)
    // -ln(0.01) = 4.6: a ~20 ms loader gets ~90 ms of head start, more than the 5 ms left.
    vi.spyOn(Math, 'random').mockReturnValue(0.01)
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet(reportKey({ id: 1 }), loader)))
    expect(answers.every((answer) => answer === 'v1')).toBe(true)
    await expect.poll(() => cache.get(reportKey({ id: 1 }))).toBe('v2')
    expect(calls()).toBe(2)
    expect(cache.stats()).toMatchObject({ refreshes: 1, misses: 1 })
  })

  it('far from expiry nothing is refreshed', async () => {
    const { cache, clock, loader, calls } = await warmed()
    clock.advance(30_000)
    vi.spyOn(Math, 'random').mockReturnValue(0.01)
    for (let i = 0; i < 50; i++) expect(await cache.getOrSet(reportKey({ id: 1 }), loader)).toBe('v1')
    expect(calls()).toBe(1)
  })

  it('a failing early refresh keeps the current value and never reaches the caller', async () => {
    const { cache, clock } = await warmed()
    clock.advance(60_000 - 5)
    vi.spyOn(Math, 'random').mockReturnValue(0.000001)
    expect(await cache.getOrSet(reportKey({ id: 1 }), () => Promise.reject(new Error('down')))).toBe('v1')
    await expect.poll(() => cache.stats().loaderErrors).toBe(1)
    expect(await cache.get(reportKey({ id: 1 }))).toBe('v1')
  })

  it('entries without early refresh or grace stay plain (no freshness metadata): the hit path is unchanged', async () => {
    const { cache, driver } = testCache({ prefix: 'plain' })
    await cache.getOrSet('k', () => ({ a: 1 }))
    expect(await driver.get('plain:k')).toBe('@c1\n{"a":1}')
  })

  it('records the loader duration used by XFetch in the entry', async () => {
    const { driver } = await warmed()
    const raw = (await driver.get('e:report:1')) as string
    const meta = JSON.parse(raw.slice(4, raw.indexOf('\n'))) as { d: number }
    expect(meta.d).toBeGreaterThanOrEqual(15)
  })

  it('rejects an invalid beta', () => {
    expect(() => testCache({ earlyRefresh: { beta: -1 } })).toThrow(/earlyRefresh\.beta/)
  })
})
