import { createCache, memoryDriver, systemClock } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { chaosDriver, createFakeClock, createTestCache, recordCacheEvents } from '../src/index.js'

describe('recordCacheEvents', () => {
  it('records what the cache emits, in order, with the template and never a key or a value', async () => {
    const cache = createCache({ driver: memoryDriver(), env: false })
    const events = recordCacheEvents(cache)
    await cache.getOrSet('secret-key', () => 'secret-value')
    await cache.getOrSet('secret-key', () => 'secret-value')
    await cache.invalidate('secret-key')
    expect(events.types()).toEqual(['miss', 'set', 'hit', 'delete'])
    expect(JSON.stringify(events.events)).not.toMatch(/secret/)
    expect(events.count('delete')).toBe(1)
    expect(events.count('hit', { operation: 'getOrSet' })).toBe(1)
    expect(events.count('hit', { operation: 'get' })).toBe(0)
    await cache.close({ driver: true })
  })

  it('records only the types asked for', async () => {
    const cache = createCache({ driver: memoryDriver(), env: false })
    const hits = recordCacheEvents(cache, ['hit'])
    await cache.set('k', 1)
    await cache.get('k')
    await cache.get('absent')
    expect(hits.types()).toEqual(['hit'])
    await expect(hits.nextEvent('miss')).rejects.toThrow("'miss' events are not recorded")
    await cache.close({ driver: true })
  })

  it('clear() forgets, stop() stops listening and keeps what was received', async () => {
    const cache = createCache({ driver: memoryDriver(), env: false })
    const events = recordCacheEvents(cache)
    await cache.set('k', 1)
    events.clear()
    await cache.get('k')
    expect(events.types()).toEqual(['hit'])
    events.stop()
    await cache.get('k')
    expect(events.types()).toEqual(['hit'])
    await cache.close({ driver: true })
  })

  it('nextEvent() resolves with the next matching event only, and rejects after its timeout', async () => {
    const cache = createCache({ driver: memoryDriver(), env: false })
    const events = recordCacheEvents(cache)
    await cache.set('k', 1)
    const nextHit = events.nextEvent('hit') // the earlier set does not count
    await cache.get('absent')
    await cache.get('k')
    expect((await nextHit).type).toBe('hit')
    await expect(events.nextEvent('delete', undefined, 5)).rejects.toThrow("no 'delete' event within 5 ms")
    await cache.close({ driver: true })
  })
})

describe('createTestCache', () => {
  it('puts the cache and the default driver on one fake clock, reads no environment and closes both', async () => {
    process.env.CACHE_ENABLED = 'false'
    try {
      const t = createTestCache({ ttl: '1m' })
      await t.cache.set('k', 1)
      expect(await t.driver.pttl('k')).toBe(60_000) // the fake clock has not moved: exactly the TTL
      t.clock.advance(60_001)
      expect(await t.cache.get('k')).toBeUndefined()
      expect(t.events.types()).toEqual(['set', 'miss'])
      await t.close()
      await expect(t.driver.get('k')).rejects.toThrow()
    } finally {
      delete process.env.CACHE_ENABLED
    }
  })

  it('builds the given driver on its clock, and keeps its type', async () => {
    const clock = createFakeClock(Date.UTC(2030, 0, 1))
    let given: unknown
    const t = createTestCache({ clock, driver: (c) => ((given = c), chaosDriver(memoryDriver({ clock: c }))) })
    expect(given).toBe(clock)
    t.driver.chaos.set({ failureRate: 1 })
    expect(await t.cache.getOrSet('k', () => 'loaded')).toBe('loaded')
    expect(t.events.count('error', { source: 'store' })).toBeGreaterThan(0)
    t.driver.chaos.heal()
    await t.close()
  })

  it('lets createCache options through, and gives the cache its clock (grace follows it)', async () => {
    const t = createTestCache({ ttl: '1m', grace: '1h' })
    await t.cache.getOrSet('k', () => 'v1')
    t.clock.advance(60_001)
    expect(await t.cache.getOrSet('k', () => Promise.reject(new Error('down')))).toBe('v1')
    expect(t.events.types()).toContain('staleHit')
    await t.close()
    expect(systemClock.now()).toBeGreaterThan(t.clock.now()) // the fake clock never read the wall clock
  })
})
