import { createCache, memoryDriver } from '@cachette/core'
import { createFakeClock, recordCacheEvents } from '@cachette/testing'
import { expect, test } from 'vitest'
import { createFakeDb } from './fake-db.js'
import { createPatientService } from './patient-service.js'

test('a hit, a miss, an expiry and an invalidation', async () => {
  const clock = createFakeClock()
  const cache = createCache({ driver: memoryDriver({ clock }), clock, env: false })
  const events = recordCacheEvents(cache)
  const db = createFakeDb()
  const service = createPatientService(cache, db)

  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' }) // miss: loaded
  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada' }) // hit
  expect(db.reads).toBe(1)
  expect(events.types()).toEqual(['miss', 'set', 'hit'])

  clock.advance(10 * 60_000) // the key's TTL, exactly: still there (as in Redis)
  await service.getPatient(1)
  expect(db.reads).toBe(1)
  clock.advance(1) // one millisecond later it has expired, without sleeping
  await service.getPatient(1)
  expect(db.reads).toBe(2)

  await service.renamePatient(1, 'Ada L.')
  expect(events.count('delete', { template: 'patient:{id}' })).toBe(1)
  expect(await service.getPatient(1)).toEqual({ id: 1, name: 'Ada L.' })

  expect(cache.stats()).toMatchObject({ hits: 2, misses: 3, loaderCalls: 3, deletes: 1 })
  await cache.close({ driver: true })
})
