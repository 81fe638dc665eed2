import { createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { isCacheError, LoaderTimeoutError, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'

/** A loader the test releases by hand. */
function gatedLoader<T>(value: T) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let calls = 0
  const loader = async () => {
    calls++
    await gate
    return value
  }
  return { loader, release, calls: () => calls }
}

/** A cache whose entry 'k' holds 'stale' past its TTL, within its grace period. */
async function staleCache(options: Parameters<typeof testCache>[0] = {}) {
  const clock = createFakeClock()
  const { cache, driver } = testCache({ driver: memoryDriver({ clock }), clock, ttl: '1m', grace: '1h', ...options })
  await cache.getOrSet('k', () => 'stale')
  clock.advance(60_000)
  return { cache, clock, driver }
}

describe('hard loader timeout', () => {
  it('rejects every waiting caller with a LoaderTimeoutError when there is no stale value', async () => {
    const { cache } = testCache({ loaderTimeout: { hard: 30 } })
    const slow = gatedLoader('late')
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrSet('k', slow.loader)))
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      const reason = (outcome as PromiseRejectedResult).reason as LoaderTimeoutError
      expect(reason).toBeInstanceOf(LoaderTimeoutError)
      expect(isCacheError(reason) && reason.code).toBe('LOADER_TIMEOUT')
      expect(reason.timeoutMs).toBe(30)
    }
    expect(slow.calls()).toBe(1)
    expect(cache.stats().loaderTimeouts).toBe(1)
    slow.release()
  })

  it('lets the loader finish in the background and stores its late value for the next callers', async () => {
    const { cache } = testCache({ loaderTimeout: { hard: 20 } })
    const slow = gatedLoader('late')
    await expect(cache.getOrSet('k', slow.loader)).rejects.toBeInstanceOf(LoaderTimeoutError)
    slow.release()
    await expect.poll(() => cache.get('k')).toBe('late')
    expect(await cache.getOrSet('k', () => 'other')).toBe('late')
    expect(slow.calls()).toBe(1)
  })

  it('a caller arriving after the timeout joins the loader still running instead of calling it again', async () => {
    const { cache } = testCache({ loaderTimeout: { hard: 20 } })
    const slow = gatedLoader('late')
    await expect(cache.getOrSet('k', slow.loader)).rejects.toBeInstanceOf(LoaderTimeoutError)
    const second = cache.getOrSet('k', slow.loader)
    slow.release()
    expect(await second).toBe('late')
    expect(slow.calls()).toBe(1)
  })

  it('serves the stale value instead of failing when there is one', async () => {
    const { cache } = await staleCache({ loaderTimeout: { hard: 20 } })
    const slow = gatedLoader('fresh')
    expect(await cache.getOrSet('k', slow.loader)).toBe('stale')
    expect(cache.stats()).toMatchObject({ staleHits: 1, loaderTimeouts: 1 })
    slow.release()
    await expect.poll(() => cache.getOrSet('k', () => 'other')).toBe('fresh')
  })

  it('is set per call, and loaderTimeout: false removes an inherited one', async () => {
    const { cache } = testCache({ loaderTimeout: { hard: 10 } })
    const slow = gatedLoader('v')
    const call = cache.getOrSet('k', slow.loader, { loaderTimeout: false })
    setTimeout(slow.release, 40)
    expect(await call).toBe('v')
    const { cache: plain } = testCache()
    await expect(plain.getOrSet('k', gatedLoader('v').loader, { loaderTimeout: { hard: 10 } })).rejects.toBeInstanceOf(LoaderTimeoutError)
  })
})

describe('soft loader timeout', () => {
  it('serves the stale value after the soft timeout and refreshes the entry when the loader finishes', async () => {
    const { cache } = await staleCache({ loaderTimeout: { soft: 20 } })
    const slow = gatedLoader('fresh')
    const started = performance.now()
    expect(await cache.getOrSet('k', slow.loader)).toBe('stale')
    // Generous bound: the stale answer did not wait for the loader (which is still blocked).
    expect(performance.now() - started).toBeLessThan(2_000)
    slow.release()
    await expect.poll(() => cache.get('k')).toBe('fresh')
    expect(slow.calls()).toBe(1)
  })

  it('callers arriving while the late loader runs get the stale value at once, without a second loader run', async () => {
    const { cache } = await staleCache({ loaderTimeout: { soft: 20 }, graceBackoff: 0 })
    const slow = gatedLoader('fresh')
    expect(await cache.getOrSet('k', slow.loader)).toBe('stale')
    await new Promise((resolve) => setTimeout(resolve, 5))
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.getOrSet('k', slow.loader)))
    expect(answers).toEqual(['stale', 'stale', 'stale', 'stale', 'stale'])
    expect(slow.calls()).toBe(1)
    slow.release()
  })

  it('without a stale value, waits for the loader (up to the hard timeout)', async () => {
    const { cache } = testCache({ loaderTimeout: { soft: 5 } })
    const slow = gatedLoader('value')
    setTimeout(slow.release, 30)
    expect(await cache.getOrSet('k', slow.loader)).toBe('value')
    expect(cache.stats().loaderTimeouts).toBe(0)
  })

  it('a loader that answers before the soft timeout is served as usual', async () => {
    const { cache } = await staleCache({ loaderTimeout: { soft: 1_000, hard: 5_000 } })
    expect(await cache.getOrSet('k', async () => 'fresh')).toBe('fresh')
    expect(cache.stats()).toMatchObject({ staleHits: 0, loaderTimeouts: 0 })
  })

  it('refuses a soft timeout above the hard one', () => {
    expect(() => testCache({ loaderTimeout: { soft: '2s', hard: '1s' } })).toThrow(/soft must not exceed hard/)
  })
})
