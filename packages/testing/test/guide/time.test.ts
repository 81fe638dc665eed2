import { createCache, memoryDriver } from '@cachette/core'
import { createFakeClock, createTestCache, recordCacheEvents } from '@cachette/testing'
import { afterEach, expect, test, vi } from 'vitest'
import { createFakeDb } from './fake-db.js'
import { createPatientService } from './patient-service.js'

afterEach(() => {
  vi.restoreAllMocks()
})

test('grace: the stale value while the database is down, then the loader again after the back-off', async () => {
  const t = createTestCache({ grace: '1h', graceBackoff: '10s' })
  const db = createFakeDb()
  const service = createPatientService(t.cache, db)
  await service.getPatient(1)

  t.clock.advance(10 * 60_000 + 1) // past the 10-minute TTL, within the grace hour
  db.down = true
  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' }) // stale, not an error
  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' }) // within the back-off: the database is not asked
  expect(db.reads).toBe(2)
  expect(t.cache.stats()).toMatchObject({ staleHits: 2, loaderErrors: 1 })

  t.clock.advance(10_000) // the back-off has passed: the loader is tried again
  await service.getPatient(1)
  expect(db.reads).toBe(3)

  t.clock.advance(60 * 60_000) // past the grace hour: nothing left to serve
  await expect(service.getPatient(1)).rejects.toThrow('database unreachable')
  await t.close()
})

test('early refresh: a hit shortly before expiry reloads in the background', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0.5) // XFetch's draw: the one input the clock does not control
  const t = createTestCache({ earlyRefresh: { beta: 2 } })
  const db = createFakeDb()
  const service = createPatientService(t.cache, db)
  await service.getPatient(1)

  t.clock.advance(5 * 60_000) // half the TTL left: far too early
  await service.getPatient(1)
  expect(db.reads).toBe(1)

  t.clock.advance(5 * 60_000 - 1) // 1 ms before expiry
  const refreshed = t.events.nextEvent('set')
  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' }) // a hit, answered at once
  await refreshed // the background load wrote its value
  expect(db.reads).toBe(2)
  expect(t.cache.stats().refreshes).toBe(1)
  await t.close()
})

test('lock: a waiter takes over the lock of a dead holder once its TTL has passed', async () => {
  const clock = createFakeClock()
  const driver = memoryDriver({ clock }) // one store, two processes
  const lock = { ttl: '30s', wait: '1m', pollInterval: '1ms' } as const
  const a = createCache({ driver, clock, env: false, lock })
  const b = createCache({ driver, clock, env: false, lock })
  const eventsB = recordCacheEvents(b)

  let holderStarted!: () => void
  const started = new Promise<void>((resolve) => (holderStarted = resolve))
  let finishHolder!: (value: string) => void
  const holder = a.getOrSet('report', () => {
    holderStarted()
    return new Promise<string>((resolve) => (finishHolder = resolve)) // a holder that hangs
  })
  await started // a holds the lock

  let settled = false
  const waiter = b.getOrSet('report', () => 'from b').finally(() => (settled = true))
  await new Promise((resolve) => setTimeout(resolve, 5)) // a few polls of the store
  expect(settled).toBe(false) // b waits for a's value
  expect(b.stats().lockWaits).toBe(1)

  clock.advance(30_001) // the lock's TTL passes: a is presumed dead
  expect(await waiter).toBe('from b')
  expect(b.stats().lockWaitHits).toBe(0) // b did not get a's value: it loaded it itself
  expect(eventsB.types()).toEqual(['miss', 'set'])

  finishHolder('from a')
  await holder
  await a.close()
  await b.close({ driver: true })
})
