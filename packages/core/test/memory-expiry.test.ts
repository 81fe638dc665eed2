import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { memoryDriver, systemClock } from '../src/index.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('memoryDriver expiry on an injected clock', () => {
  it('expires lazily: an expired key is freed when next touched', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    await driver.set('k', 'value', { ttlMs: 1_000 })
    clock.advance(1_001)
    // Nothing has touched it yet: like Redis DBSIZE, the key still counts.
    expect((await driver.info()).keys).toBe(1)
    expect(await driver.get('k')).toBeNull()
    expect(await driver.info()).toMatchObject({ keys: 0, usedMemoryBytes: 0 })
  })

  it('starts no timer at all', () => {
    vi.useFakeTimers()
    memoryDriver({ clock: createFakeClock() })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('follows the clock backwards too (a TTL is an absolute deadline)', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    await driver.set('k', 'v', { ttlMs: 1_000 })
    clock.set(clock.now() - 5_000)
    expect(await driver.pttl('k')).toBe(6_000)
  })
})

describe('memoryDriver expiry on the wall clock', () => {
  it('frees expired keys in the background, and close() stops the sweep', async () => {
    vi.useFakeTimers()
    const driver = memoryDriver({ clock: systemClock })
    expect(vi.getTimerCount()).toBe(1)
    await driver.set('short', 'v', { ttlMs: 100 })
    await driver.set('long', 'v', { ttlMs: 60_000 })
    vi.advanceTimersByTime(1_100)
    expect((await driver.info()).keys).toBe(1)
    expect(await driver.get('long')).toBe('v')
    await driver.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('expires a key on access before the sweep runs', async () => {
    vi.useFakeTimers()
    const driver = memoryDriver()
    await driver.set('k', 'v', { ttlMs: 10 })
    vi.setSystemTime(Date.now() + 11)
    expect(await driver.get('k')).toBeNull()
    await driver.close()
  })
})
