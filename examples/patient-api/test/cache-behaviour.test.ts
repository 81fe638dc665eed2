/**
 * The app's cache as a test double, the way docs/testing.md shows: a new memory driver and fake
 * clock per test, injected where the app takes its driver; time moved with the clock, never slept;
 * what the cache did read from its events and stats.
 */
import { randomUUID } from 'node:crypto'
import { memoryDriver } from '@cachette/core'
import { createFakeClock, recordCacheEvents, type CacheEventRecorder, type FakeClock } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import { buildApp } from '../src/app.js'
import { createAppCaches, type AppCaches } from '../src/caches.js'
import type { Database } from '../src/db/database.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'

let db: Database
beforeAll(async () => {
  db = await pgliteDatabase()
  await migrate(db)
})
afterAll(() => db?.close())

let clock: FakeClock
let caches: AppCaches
let events: CacheEventRecorder
let app: FastifyInstance
beforeEach(() => {
  clock = createFakeClock()
  const etablissement = randomUUID()
  caches = createAppCaches({ driver: memoryDriver({ clock }), etablissement, env: false })
  events = recordCacheEvents(caches.cache)
  app = buildApp({ db, caches, etablissement })
})
afterEach(async () => {
  await app.close()
  await caches.close()
  await caches.driver.close() // ours: the caches leave a driver passed in open
})

const person = () => ({ nom: `TEST-${randomUUID().slice(0, 8)}`, prenoms: 'ADJOUA', date_naissance: '2001-12-31', sexe: 'F' })

test('the dashboard is computed once per 5 minutes', async () => {
  const first = await app.inject({ method: 'GET', url: '/statistics/dashboard' })
  const second = await app.inject({ method: 'GET', url: '/statistics/dashboard' })
  expect(second.json()).toEqual(first.json()) // the same computation, served from the cache
  expect(events.types()).toEqual(['miss', 'set', 'hit'])

  clock.advance(5 * 60_000 + 1) // past the seed's 5-minute TTL
  events.clear()
  await app.inject({ method: 'GET', url: '/statistics/dashboard' })
  expect(events.types()).toEqual(['miss', 'set'])
})

test('a created patient is served from the cache until a change invalidates it', async () => {
  const created = await app.inject({ method: 'POST', url: '/patients', payload: person() })
  expect(created.statusCode).toBe(201)
  const code = created.json().code_patient as string
  const before = caches.patients.stats()

  const read = await app.inject({ method: 'GET', url: `/patients/${code}` })
  expect(read.json().prenoms).toBe('ADJOUA')
  expect(caches.patients.stats().hits).toBe(before.hits + 1) // warmed at creation: no database read

  const patched = await app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { prenoms: 'SERAPHINE' } })
  expect(patched.statusCode).toBe(200)
  const reread = await app.inject({ method: 'GET', url: `/patients/${code}` })
  expect(reread.json().prenoms).toBe('SERAPHINE') // the invalidation after commit: no stale name
  expect(caches.patients.stats().misses).toBe(before.misses + 1)
})

test('the anti-duplicate lock refuses a second creation until its 60 s TTL has passed', async () => {
  const body = person()
  // Another instance is creating this person and has not finished (nor died cleanly).
  let abandon!: (error: Error) => void
  const elsewhere = caches.patients.createWithLock(body, () => new Promise((_, reject) => (abandon = reject)))

  const refused = await app.inject({ method: 'POST', url: '/patients', payload: body })
  expect(refused.statusCode).toBe(409)
  expect(refused.json().raison).toBe('in_flight')

  clock.advance(60_000 + 1) // the lock's TTL, without sleeping
  const accepted = await app.inject({ method: 'POST', url: '/patients', payload: body })
  expect(accepted.statusCode).toBe(201)

  abandon(new Error('the other instance gave up'))
  await expect(elsewhere).rejects.toThrow('gave up')
})
