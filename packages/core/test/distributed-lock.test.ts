import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { createCache, memoryDriver, type CacheOptions, type Driver } from '../src/index.js'

const quiet = { warn: () => undefined }

/** Several "processes": caches with their own single flight, sharing one store. */
function processes(count: number, driver: Driver, options: CacheOptions = {}) {
  return Array.from({ length: count }, () => createCache({ driver, prefix: 'lk', env: false, logger: quiet, lock: { pollInterval: 5 }, ...options }))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('distributed stampede lock', () => {
  it('five processes asking for one cold key call the loader once; the others pick up its value', async () => {
    const driver = memoryDriver()
    const caches = processes(5, driver)
    let calls = 0
    const loader = async () => {
      calls++
      await sleep(40)
      return { rows: 3 }
    }
    const answers = await Promise.all(caches.map((cache) => cache.getOrSet('report', loader)))
    expect(calls).toBe(1)
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ rows: 3 })))
    const waited = caches.map((cache) => cache.stats()).filter((stats) => stats.lockWaits === 1)
    expect(waited).toHaveLength(4)
    expect(waited.every((stats) => stats.lockWaitHits === 1 && stats.loaderCalls === 0)).toBe(true)
  })

  it('releases the lock after the value is written', async () => {
    const driver = memoryDriver()
    const [cache] = processes(1, driver)
    await cache?.getOrSet('report', () => 'v')
    await expect.poll(() => driver.exists(['lk:cachette:lock:report'])).toBe(0)
    expect(await driver.get('lk:report')).toBe('@c1\n"v"')
  })

  it('a holder that died blocks nobody past the lock TTL: a waiter takes the lock over and loads', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const [dead, alive] = processes(2, driver, { clock, lock: { ttl: '2s', wait: '1m', pollInterval: 5 } })
    // The holder takes the lock and never finishes (a crashed process).
    void dead?.getOrSet('report', () => new Promise<never>(() => undefined))
    await expect.poll(() => driver.exists(['lk:cachette:lock:report'])).toBe(1)
    let calls = 0
    const waiting = alive?.getOrSet('report', () => {
      calls++
      return 'loaded by the survivor'
    })
    await sleep(30)
    expect(calls).toBe(0)
    // Past the TTL (a key with 0 ms left still exists, as in Redis).
    clock.advance(2_001)
    expect(await waiting).toBe('loaded by the survivor')
    expect(calls).toBe(1)
  })

  it('waits at most `wait`, then calls the loader itself', async () => {
    const driver = memoryDriver()
    const [holder, waiter] = processes(2, driver, { lock: { ttl: '1m', wait: 50, pollInterval: 5 } })
    void holder?.getOrSet('report', () => new Promise<never>(() => undefined))
    await expect.poll(() => driver.exists(['lk:cachette:lock:report'])).toBe(1)
    const started = performance.now()
    expect(await waiter?.getOrSet('report', () => 'impatient')).toBe('impatient')
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(waiter?.stats()).toMatchObject({ lockWaits: 1, lockWaitHits: 0, loaderCalls: 1 })
  })

  it('never deletes a lock that expired and was taken by another process', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const [first, second] = processes(2, driver, { clock, lock: { ttl: '1s', wait: '1m', pollInterval: 5 } })
    let releaseFirst!: () => void
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve))
    const firstCall = first?.getOrSet('report', async () => {
      await firstGate
      return 'first'
    })
    await expect.poll(() => driver.exists(['lk:cachette:lock:report'])).toBe(1)
    clock.advance(1_001)
    let releaseSecond!: () => void
    const secondGate = new Promise<void>((resolve) => (releaseSecond = resolve))
    const secondCall = second?.getOrSet('report', async () => {
      await secondGate
      return 'second'
    })
    await expect.poll(() => second?.stats().loaderCalls).toBe(1)
    const secondToken = await driver.get('lk:cachette:lock:report')
    releaseFirst()
    expect(await firstCall).toBe('first')
    await sleep(10)
    expect(await driver.get('lk:cachette:lock:report')).toBe(secondToken)
    releaseSecond()
    expect(await secondCall).toBe('second')
  })

  it('a store that fails the lock call degrades to calling the loader', async () => {
    const driver = chaosDriver(memoryDriver(), { failureRate: 1 })
    const [cache] = processes(1, driver)
    expect(await cache?.getOrSet('report', () => 'from the loader')).toBe('from the loader')
  })

  it('is off by default, and can be set per key or per call', async () => {
    const counting = memoryDriver()
    const plain = createCache({ driver: counting, prefix: 'lk', env: false, logger: quiet })
    await plain.getOrSet('a', async () => {
      expect(await counting.exists(['lk:cachette:lock:a'])).toBe(0)
      return 1
    })
    await plain.getOrSet('b', async () => {
      expect(await counting.exists(['lk:cachette:lock:b'])).toBe(1)
      return 1
    }, { lock: true })
  })

  it('rejects invalid lock options', () => {
    expect(() => processes(1, memoryDriver(), { lock: { ttl: 'long' as never } })).toThrow(/lock\.ttl/)
  })
})
