import { describe, expect, it } from 'vitest'
import { defineKey, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'

const reportKey = defineKey('report:{id}')

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('getOrSet single flight', () => {
  it('1,000 concurrent callers on a cold key run the loader once and all get its value', async () => {
    const counting = countingDriver(memoryDriver())
    const { cache } = testCache({ driver: counting.driver })
    let loads = 0
    const value = { rows: [1, 2, 3] }
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        cache.getOrSet(reportKey({ id: 1 }), async () => {
          loads++
          await new Promise((resolve) => setTimeout(resolve, 5))
          return value
        }),
      ),
    )
    expect(loads).toBe(1)
    expect(results.every((result) => result === value)).toBe(true)
    expect(counting.calls.get('get')).toBe(1)
    // The fence: the load's claim (SET NX), then the write over it (compareAndSet).
    expect(counting.calls.get('set')).toBe(1)
    expect(counting.calls.get('compareAndSet')).toBe(1)
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, inFlight: 0, sets: 1 })
    // Later callers hit the stored entry.
    expect(await cache.getOrSet(reportKey({ id: 1 }), () => ({ rows: [] }))).toEqual(value)
    expect(loads).toBe(1)
  })

  it('different keys load independently', async () => {
    const { cache } = testCache()
    const seen: number[] = []
    await Promise.all([1, 2, 3].map((id) => cache.getOrSet(reportKey({ id }), () => {
      seen.push(id)
      return id
    })))
    expect(seen.sort()).toEqual([1, 2, 3])
  })

  it('a loader error reaches every waiting caller as the same error object and is not cached', async () => {
    const { cache } = testCache()
    const failure = new Error('database unavailable')
    const gate = deferred<never>()
    let loads = 0
    const callers = Array.from({ length: 50 }, () =>
      cache.getOrSet(reportKey({ id: 2 }), () => {
        loads++
        return gate.promise
      }),
    )
    gate.reject(failure)
    const outcomes = await Promise.allSettled(callers)
    expect(loads).toBe(1)
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toBe(failure)
    }
    expect(await cache.getOrSet(reportKey({ id: 2 }), () => 'recovered')).toBe('recovered')
    expect(loads).toBe(1)
    expect(cache.stats().loaderErrors).toBe(1)
  })

  it('a loader that throws synchronously rejects the call, it does not throw', async () => {
    const { cache } = testCache()
    const failure = new TypeError('bug')
    const call = cache.getOrSet('k', () => {
      throw failure
    })
    await expect(call).rejects.toBe(failure)
  })

  it('undefined is returned but never stored', async () => {
    const { cache } = testCache()
    let loads = 0
    expect(await cache.getOrSet('missing', () => void loads++)).toBeUndefined()
    expect(await cache.getOrSet('missing', () => void loads++)).toBeUndefined()
    expect(loads).toBe(2)
    expect(cache.stats().sets).toBe(0)
  })

  it('ctx.skipCache() returns the value to every waiter without storing it', async () => {
    const { cache } = testCache()
    let loads = 0
    const load = () =>
      cache.getOrSet('draft', async (ctx) => {
        loads++
        ctx.skipCache()
        return { draft: true }
      })
    const [a, b] = await Promise.all([load(), load()])
    expect(a).toEqual({ draft: true })
    expect(b).toBe(a)
    expect(loads).toBe(1)
    await load()
    expect(loads).toBe(2)
  })

  it('invalidating a key while its loader runs: the stale result is not stored, new callers load again', async () => {
    const { cache } = testCache()
    const gate = deferred<string>()
    const first = cache.getOrSet(reportKey({ id: 3 }), () => gate.promise)
    await new Promise((resolve) => setTimeout(resolve, 1))
    await cache.invalidate(reportKey({ id: 3 }))
    const second = cache.getOrSet(reportKey({ id: 3 }), () => 'fresh')
    gate.resolve('stale')
    expect(await first).toBe('stale')
    expect(await second).toBe('fresh')
    expect(await cache.get(reportKey({ id: 3 }))).toBe('fresh')
  })
})
