import { expect, test } from 'vitest'
import { createTestCache } from '../src/index.js'

/**
 * `revalidate` throttles its store TTL reads to one per key per window / 8. That throttle used
 * performance.now(): on a fake clock, a test that moved into the window right after a hit got no
 * revalidation until window / 8 of real time had passed (7.5 s for a 1-minute window). It now
 * reads the cache's clock, like the entry's TTL.
 */
test('moving the fake clock into the revalidate window revalidates on the next hit, without waiting', async () => {
  const t = createTestCache({ ttl: '10m', revalidate: { window: '1m' } })
  let loads = 0
  const load = () => ++loads
  await t.cache.getOrSet('report', load)
  expect(await t.cache.getOrSet('report', load)).toBe(1) // a hit: 10 min left, outside the window (the TTL read is now throttled)
  await new Promise((resolve) => setTimeout(resolve, 2)) // let that TTL read finish
  expect(loads).toBe(1)

  t.clock.advance(9 * 60_000 + 30_000) // 30 s left: inside the window
  const revalidated = t.events.nextEvent('set', undefined, 1_000)
  expect(await t.cache.getOrSet('report', load)).toBe(1) // answered from the cache at once...
  await revalidated // ...and reloaded in the background
  expect(loads).toBe(2)
  expect(t.cache.stats().refreshes).toBe(1)
  await t.close()
})

test('a second hit within window / 8 of the cache clock reads the TTL no more', async () => {
  const t = createTestCache({ ttl: '10m', revalidate: { window: '1m' } })
  let loads = 0
  await t.cache.getOrSet('report', () => ++loads)
  await t.cache.getOrSet('report', () => ++loads) // TTL read: outside the window
  await new Promise((resolve) => setTimeout(resolve, 2))
  t.clock.advance(9 * 60_000 + 30_000) // inside the window; the last TTL read was 9.5 min ago on the cache clock: read again, reloaded
  const revalidated = t.events.nextEvent('set', undefined, 1_000)
  await t.cache.getOrSet('report', () => ++loads)
  await revalidated
  t.clock.advance(1_000) // 1 s later (< 7.5 s): the throttle holds, whatever the real time
  t.events.clear()
  await t.cache.getOrSet('report', () => ++loads)
  await new Promise((resolve) => setTimeout(resolve, 5))
  expect(t.events.types()).toEqual(['hit'])
  expect(loads).toBe(2)
  await t.close()
})
