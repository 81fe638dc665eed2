/**
 * The app's cache rules as a test double, the way docs/testing.md shows: a new memory driver and
 * fake clock per test, injected where the app takes its driver (createAppCache's second
 * argument); the seed's TTLs crossed with the clock, never slept; what happened read from
 * x-cache statuses, events and stats. No Next.js, no Upstash: these run in milliseconds.
 */
import { memoryDriver } from '@cachette/core'
import { chaosDriver, createFakeClock, recordCacheEvents, type CacheEventRecorder, type FakeClock } from '@cachette/testing'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { cacheService, type AppCache } from '../lib/cache'
import { createAppCache } from '../lib/cache-config'
import { listFiltersSchema, type Page } from '../lib/db/model'

const MINUTE = 60_000
const A = 'sdis-13'
const B = 'sdis-69'
const page = (label: string): Page => ({ items: [], pagination: { page: 1, limit: 50, total: 0, pages: 0 }, label } as Page)
const filters = (query: Readonly<Record<string, string | undefined>>) => listFiltersSchema.parse(query)

/** The store failures these tests provoke would print a warning each; events and stats have them. */
const silent = { warn: () => undefined }

let clock: FakeClock
let service: AppCache
let events: CacheEventRecorder
beforeEach(() => {
  clock = createFakeClock()
  service = cacheService(createAppCache({}, { driver: memoryDriver({ clock }), clock, logger: silent }))
  events = recordCacheEvents(service.cache)
})
afterEach(() => service.cache.close({ driver: true }))

/** A list read through the app's rule, with its x-cache status. */
const list = (tenantId: string, query: Readonly<Record<string, string | undefined>>, label = 'db') => service.cached(service.listKey('fmpa', tenantId, filters(query)), async () => page(label))

test('a list misses, hits, is one entry whatever the order of its filters, and expires after the seed\'s 5 minutes', async () => {
  expect((await list(A, { status: 'ACTIVE', page: '1' })).status).toBe('miss')
  expect((await list(A, { page: '1', status: 'ACTIVE' })).status).toBe('hit')
  expect((await list(A, { status: 'ACTIVE', limit: '50' })).status).toBe('hit') // defaults spelled out: the same filters
  clock.advance(5 * MINUTE - 1)
  expect((await list(A, { status: 'ACTIVE' })).status).toBe('hit')
  clock.advance(1)
  expect((await list(A, { status: 'ACTIVE' })).status).toBe('miss')
  expect(service.cache.stats()).toMatchObject({ hits: 3, loaderCalls: 2 })
})

test('profiles live 30 minutes and the dashboard 15, as the seed\'s table says', async () => {
  const profile = () => service.cached(service.keys.profile({ userId: `${A}-u1` }), async () => null)
  const stats = () => service.cached(service.keys.stats({ tenantId: A }), async () => ({ tenantId: A, fmpaByStatus: {}, formationsByStatus: {}, upcoming: 0, computedAt: '' }))
  await profile()
  await stats()
  clock.advance(15 * MINUTE)
  expect([(await profile()).status, (await stats()).status]).toEqual(['hit', 'miss'])
  clock.advance(15 * MINUTE)
  expect((await profile()).status).toBe('miss')
})

test("a write drops the tenant's lists it can change, by tag: another status and another tenant stay", async () => {
  for (const tenant of [A, B]) for (const query of [{}, { status: 'ACTIVE' }, { status: 'COMPLETED' }]) await list(tenant, query)
  await service.invalidateLists('fmpa', A, ['ACTIVE'])
  expect((await list(A, {})).status).toBe('miss')
  expect((await list(A, { status: 'ACTIVE' })).status).toBe('miss')
  expect((await list(A, { status: 'COMPLETED' })).status).toBe('hit')
  for (const query of [{}, { status: 'ACTIVE' }]) expect((await list(B, query)).status).toBe('hit')
  expect(events.count('delete')).toBe(1) // one invalidateTags call for both tags
})

test("under wire: 'plain' the same rule deletes by pattern, as the seed's own code did", async () => {
  service = cacheService(createAppCache({ CACHE_WIRE: 'plain' }, { driver: memoryDriver({ clock }), clock, logger: silent }))
  for (const query of [{}, { status: 'ACTIVE' }, { status: 'COMPLETED' }]) await list(A, query)
  await service.invalidateLists('fmpa', A, ['ACTIVE'])
  expect([(await list(A, {})).status, (await list(A, { status: 'ACTIVE' })).status, (await list(A, { status: 'COMPLETED' })).status]).toEqual(['miss', 'miss', 'hit'])
})

test('the database failing past the TTL: the old list is served (x-cache: stale) for the hour of grace, then the error shows', async () => {
  await list(A, {}, 'before')
  clock.advance(5 * MINUTE + 1)
  const failing = () => service.cached(service.listKey('fmpa', A, filters({})), async (): Promise<Page> => Promise.reject(new Error('database down')))
  expect(await failing()).toMatchObject({ status: 'stale', value: { label: 'before' } })
  clock.advance(60 * MINUTE)
  await expect(failing()).rejects.toThrow('database down')
})

test('Upstash down: every list is still answered, from the database, and cached again once it is back', async () => {
  const driver = chaosDriver(memoryDriver({ clock }))
  service = cacheService(createAppCache({}, { driver, clock, logger: silent }))
  driver.chaos.set({ failureRate: 1 })
  expect(await list(A, {})).toMatchObject({ status: 'miss', value: { label: 'db' } })
  expect(await list(A, {})).toMatchObject({ status: 'miss' })
  driver.chaos.heal()
  // The circuit breaker opened after the failures: the store is left alone for 5 s of the cache's clock.
  expect(service.cache.stats().circuitSkipped).toBeGreaterThan(0)
  clock.advance(5_000)
  await list(A, {})
  expect((await list(A, {})).status).toBe('hit')
})
