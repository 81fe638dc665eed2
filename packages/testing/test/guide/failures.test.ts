import { memoryDriver } from '@cachette/core'
import { chaosDriver, createTestCache } from '@cachette/testing'
import { expect, test } from 'vitest'
import { createFakeDb } from './fake-db.js'
import { createPatientService } from './patient-service.js'

test('store down: every call still answers, from the database', async () => {
  const t = createTestCache({ driver: (clock) => chaosDriver(memoryDriver({ clock })) })
  const service = createPatientService(t.cache, createFakeDb())
  t.driver.chaos.set({ failureRate: 1 }) // every store call rejects

  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' })
  expect(t.events.count('error', { source: 'store' })).toBeGreaterThan(0)
  expect(t.cache.stats()).toMatchObject({ hits: 0, sets: 0, loaderCalls: 1 })

  t.driver.chaos.heal() // back up: cached again
  await service.getPatient(1)
  await service.getPatient(1)
  expect(t.cache.stats().hits).toBe(1)
  await t.close()
})

test('store slow: the deadline cuts each call short, the caller gets its value', async () => {
  const t = createTestCache({ deadlineMs: 20, driver: (clock) => chaosDriver(memoryDriver({ clock }), { hang: true }) })
  const service = createPatientService(t.cache, createFakeDb())

  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' })
  expect(t.cache.stats().timeouts).toBeGreaterThan(0)
  expect(t.events.count('error', { code: 'DEADLINE_EXCEEDED' })).toBeGreaterThan(0)
  await t.close()
})

test('store corrupt: an entry that does not decode is a miss, deleted and counted', async () => {
  const t = createTestCache()
  const db = createFakeDb()
  const service = createPatientService(t.cache, db)
  await t.driver.set('patient:1', '{not json', { ttlMs: 60_000 }) // written behind the cache's back

  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' })
  expect(db.reads).toBe(1)
  expect(t.cache.stats().decodeFailures).toBe(1)
  expect(t.events.types()).toEqual(['miss', 'set'])
  await t.close()
})
