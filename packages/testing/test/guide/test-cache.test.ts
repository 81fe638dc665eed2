import { createTestCache } from '@cachette/testing'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createFakeDb } from './fake-db.js'
import { createPatientService } from './patient-service.js'

let t: ReturnType<typeof createTestCache>
beforeEach(() => {
  t = createTestCache() // a new store, clock and recorder for every test
})
afterEach(() => t.close())

test('the second read is a hit', async () => {
  const db = createFakeDb()
  const service = createPatientService(t.cache, db)
  await service.getPatient(1)
  await service.getPatient(1)
  expect(t.events.types()).toEqual(['miss', 'set', 'hit'])
  expect(db.reads).toBe(1)
})

test('nothing leaks from the test before: this store starts empty', async () => {
  const db = createFakeDb()
  await createPatientService(t.cache, db).getPatient(1)
  expect(t.events.types()).toEqual(['miss', 'set'])
  expect(t.cache.stats().hits).toBe(0)
})
