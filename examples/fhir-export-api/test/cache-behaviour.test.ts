/**
 * The export cache as a test double, the way docs/testing.md shows: a new memory driver and fake
 * clock per test, injected where the app takes its driver; the seed's TTLs and the conditional
 * refresh window crossed by moving the clock, never by sleeping or by rewriting TTLs in the store.
 */
import { memoryDriver } from '@cachette/core'
import { chaosDriver, createFakeClock, recordCacheEvents, type CacheEventRecorder, type ChaosDriver, type FakeClock } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import { buildApp } from '../src/app.js'
import { createExportCaches, type ExportCaches } from '../src/caches.js'
import type { Database } from '../src/db/database.js'
import { insertDemoData } from '../src/db/demo-data.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'
import { createExportService, type ExportService } from '../src/export-service.js'

let db: Database
beforeAll(async () => {
  db = await pgliteDatabase()
  await migrate(db)
  await insertDemoData(db)
})
afterAll(() => db?.close())

let clock: FakeClock
let driver: ChaosDriver
let caches: ExportCaches
let service: ExportService
let events: CacheEventRecorder
let app: FastifyInstance
beforeEach(() => {
  clock = createFakeClock()
  driver = chaosDriver(memoryDriver({ clock })) // healthy until a test says otherwise
  caches = createExportCaches({ driver, env: false, logger: { warn: () => undefined } })
  service = createExportService({ db, exports: caches.exports, baseUrl: 'http://fhir.test/fhir' })
  events = recordCacheEvents(caches.cache)
  app = buildApp({ db, caches, service })
})
afterEach(async () => {
  await app.close()
  driver.chaos.heal()
  await caches.close()
  await driver.close() // ours: the caches leave a driver passed in open
})

const venues = () => app.inject({ method: 'GET', url: '/fhir/export/venues?ej=1' })
const venueBuilds = () => service.stats().builds['venues:ej:1'] ?? 0

test('venues are built once per 5 minutes', async () => {
  const first = await venues()
  expect((await venues()).json()).toEqual(first.json())
  expect(venueBuilds()).toBe(1)
  expect(events.types()).toEqual(['miss', 'set', 'hit'])

  clock.advance(5 * 60_000 + 1) // past the seed's venues TTL
  await venues()
  expect(venueBuilds()).toBe(2)
})

test('within the last minute, a read answers at once and revalidates behind: renewed, not rebuilt', async () => {
  await venues()
  clock.advance(4 * 60_000 + 30_000) // 30 s left: inside the 1-minute revalidate window
  const renewed = service.stats().notModified
  const read = await venues()
  expect(read.statusCode).toBe(200)
  await expect.poll(() => service.stats().notModified).toBe(renewed + 1) // the background check ran
  expect(venueBuilds()).toBe(1)

  clock.advance(60_000) // past the old expiry: the renewed entry is still there
  await venues()
  expect(venueBuilds()).toBe(1)
  expect(events.count('hit')).toBe(2)
})

test('store down: exports are built from the database, and cached again once it is back', async () => {
  driver.chaos.set({ failureRate: 1 })
  expect((await venues()).statusCode).toBe(200)
  expect((await venues()).statusCode).toBe(200)
  expect(venueBuilds()).toBe(2) // nothing could be cached
  expect(events.count('error', { source: 'store' })).toBeGreaterThan(0)

  driver.chaos.heal()
  await venues()
  await venues()
  expect(venueBuilds()).toBe(3)
  expect(events.count('hit')).toBe(1)
})
