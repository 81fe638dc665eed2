import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { CircuitOpenError, DriverError, memoryDriver, type CacheEventName } from '../src/index.js'
import { CircuitBreaker } from '../src/resilience/circuit-breaker.js'
import { testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'

function breakerCache(options: { threshold?: number; windowMs?: number; openMs?: number } = {}) {
  const clock = createFakeClock()
  const counting = countingDriver(memoryDriver({ clock }))
  const driver = chaosDriver(counting.driver)
  const events: CacheEventName[] = []
  const { cache, logger } = testCache({
    driver,
    clock,
    deadlineMs: 200,
    circuitBreaker: { failureThreshold: options.threshold ?? 3, window: options.windowMs ?? 10_000, openDuration: options.openMs ?? 5_000 },
    events: { circuitOpened: () => events.push('circuitOpened'), circuitClosed: () => events.push('circuitClosed') },
  })
  return { cache, clock, driver, counting, events, logger }
}

describe('circuit breaker', () => {
  it('opens after the failure threshold; while open, store calls are skipped: reads miss and getOrSet calls the loader', async () => {
    const { cache, driver, counting, events } = breakerCache()
    await cache.set('k', 'cached')
    driver.chaos.set({ failureRate: 1 })
    for (let i = 0; i < 3; i++) expect(await cache.get('k')).toBeUndefined()
    expect(events).toEqual(['circuitOpened'])
    expect((await cache.health()).circuit).toBe('open')

    driver.chaos.heal()
    counting.reset()
    // The store is fine again, but the circuit is open: nothing reaches it.
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 'loaded')).toBe('loaded')
    expect(await cache.set('other', 1)).toBe(false)
    expect(counting.total()).toBe(0)
    // get, getOrSet's read and its write, set: four skipped calls, none counted as an error.
    expect(cache.stats()).toMatchObject({ circuitSkipped: 4, errors: 3 })
  })

  it('rejects an invalidation at once with a CircuitOpenError (a DriverError) while open', async () => {
    const { cache, driver } = breakerCache({ threshold: 1 })
    driver.chaos.set({ failureRate: 1 })
    await cache.get('k')
    driver.chaos.heal()
    const failure = await cache.invalidate('k').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CircuitOpenError)
    expect(failure).toBeInstanceOf(DriverError)
    expect(failure).toMatchObject({ code: 'CIRCUIT_OPEN' })
  })

  it('does not open when the failures are spread beyond the window, or broken by a success', async () => {
    const { cache, clock, driver, events } = breakerCache({ threshold: 3, windowMs: 1_000 })
    driver.chaos.set({ failureRate: 1 })
    await cache.get('a')
    await cache.get('a')
    clock.advance(1_500)
    await cache.get('a')
    expect(events).toEqual([])
    await cache.get('a')
    driver.chaos.heal()
    await cache.get('a')
    driver.chaos.set({ failureRate: 1 })
    await cache.get('a')
    await cache.get('a')
    expect(events).toEqual([])
    expect((await cache.health()).circuit).toBe('closed')
  })

  it('after the open duration lets one probe through: its success closes the circuit', async () => {
    const { cache, clock, driver, counting, events } = breakerCache({ threshold: 2, openMs: 5_000 })
    await cache.set('k', 'cached')
    driver.chaos.set({ failureRate: 1 })
    await cache.get('k')
    await cache.get('k')
    driver.chaos.heal()
    clock.advance(4_999)
    expect(await cache.get('k')).toBeUndefined()
    clock.advance(1)
    expect((await cache.health()).circuit).toBe('half-open')
    counting.reset()
    expect(await cache.get('k')).toBe('cached')
    expect(events).toEqual(['circuitOpened', 'circuitClosed'])
    expect(await cache.get('k')).toBe('cached')
    expect(counting.calls.get('get')).toBe(2)
  })

  it('a failed probe opens it again for another open duration, without a second circuitOpened event', async () => {
    const { cache, clock, driver, counting, events } = breakerCache({ threshold: 1, openMs: 1_000 })
    driver.chaos.set({ failureRate: 1 })
    await cache.get('k')
    clock.advance(1_000)
    await cache.get('k') // the probe, fails
    driver.chaos.heal()
    counting.reset()
    await cache.get('k')
    expect(counting.total()).toBe(0)
    clock.advance(1_000)
    await cache.get('k')
    expect(counting.calls.get('get')).toBe(1)
    expect(events).toEqual(['circuitOpened', 'circuitClosed'])
  })

  it('lets a single probe through while half-open: concurrent calls are still skipped', async () => {
    const { cache, clock, driver, counting } = breakerCache({ threshold: 1, openMs: 1_000 })
    driver.chaos.set({ failureRate: 1 })
    await cache.get('k')
    driver.chaos.set({ delayMs: 20 })
    clock.advance(1_000)
    counting.reset()
    await Promise.all(Array.from({ length: 10 }, (_, i) => cache.get(`k${i}`)))
    expect(counting.calls.get('get')).toBe(1)
  })

  it('does not count answers that prove the store is up (WRONGTYPE) as failures', () => {
    const clock = createFakeClock()
    const changes: string[] = []
    const breaker = new CircuitBreaker({ failureThreshold: 2, windowMs: 10_000, openMs: 1_000 }, clock, (state) => changes.push(state))
    breaker.failed('WRONG_TYPE')
    breaker.failed('WRONG_TYPE')
    breaker.failed('DRIVER_FAILURE')
    breaker.failed('NOT_INTEGER')
    breaker.failed('DEADLINE_EXCEEDED')
    expect(changes).toEqual([])
    breaker.failed('DEADLINE_EXCEEDED')
    expect(changes).toEqual(['open'])
    expect(breaker.allow()).toBe(false)
    expect(breaker.rejects()).toBe(true)
  })

  it('a frozen store opens the circuit after the threshold; then calls skip the deadline wait', async () => {
    const clock = createFakeClock()
    const driver = chaosDriver(memoryDriver({ clock }))
    const { cache } = testCache({ driver, clock, deadlineMs: 50, circuitBreaker: { failureThreshold: 2 } })
    driver.chaos.set({ hang: true })
    expect(await cache.getOrSet('a', () => 1)).toBe(1)
    expect(await cache.getOrSet('b', () => 2)).toBe(2)
    const callsBefore = driver.chaos.calls
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.getOrSet(`c${i}`, () => i)))
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(driver.chaos.calls).toBe(callsBefore)
  })

  it('reports its state in health() only when configured', async () => {
    const { cache } = testCache()
    expect(await cache.health()).not.toHaveProperty('circuit')
    const { cache: withBreaker } = testCache({ circuitBreaker: true })
    expect(await withBreaker.health()).toMatchObject({ ok: true, circuit: 'closed', pendingInvalidations: 0 })
  })

  it('exposes the state as the cache_circuit_state gauge', async () => {
    const gauges: ((result: { observe: (value: number) => void }) => void)[] = []
    const noop = { add: () => undefined, record: () => undefined }
    const meter = {
      createCounter: () => noop,
      createHistogram: () => noop,
      createObservableGauge: (name: string) => {
        expect(name).toBe('cache_circuit_state')
        return { addCallback: (callback: (result: { observe: (value: number) => void }) => void) => void gauges.push(callback) }
      },
    }
    const clock = createFakeClock()
    const driver = chaosDriver(memoryDriver({ clock }))
    const { cache } = testCache({ driver, clock, meter: meter as never, circuitBreaker: { failureThreshold: 1 } })
    const read = () => {
      let value = Number.NaN
      for (const gauge of gauges) gauge({ observe: (v) => (value = v) })
      return value
    }
    expect(read()).toBe(0)
    driver.chaos.set({ failureRate: 1 })
    await cache.get('k')
    expect(read()).toBe(2)
    clock.advance(5_000)
    expect(read()).toBe(1)
  })

  it('rejects invalid options with a readable message', () => {
    expect(() => testCache({ circuitBreaker: { failureThreshold: 0 } })).toThrow(/circuitBreaker\.failureThreshold/)
    expect(() => testCache({ circuitBreaker: { openDuration: 'soon' as never } })).toThrow(/circuitBreaker\.openDuration/)
  })
})
