import type { CacheEvent, CacheEventName, Driver } from '@cachette/core'
import { memoryDriver } from '@cachette/core'
import { expectTypeOf, test } from 'vitest'
import { chaosDriver, createTestCache, recordCacheEvents, type CacheEventRecorder, type ChaosDriver, type TestCache } from '../src/index.js'

test('createTestCache keeps the type of the driver it is given', () => {
  expectTypeOf(createTestCache()).toEqualTypeOf<TestCache<Driver>>()
  const chaos = createTestCache({ driver: (clock) => chaosDriver(memoryDriver({ clock })) })
  expectTypeOf(chaos.driver).toEqualTypeOf<ChaosDriver>()
  // @ts-expect-error the clock is the test's: createCache's own `clock` option is replaced by a FakeClock
  createTestCache({ clock: { now: () => 0 } })
  // @ts-expect-error a driver is made on the test's clock: give a function
  createTestCache({ driver: memoryDriver() })
})

test('the recorder answers with event names and events', () => {
  const { cache } = createTestCache()
  const events = recordCacheEvents(cache, ['hit', 'miss'])
  expectTypeOf(events).toEqualTypeOf<CacheEventRecorder>()
  expectTypeOf(events.types()).toEqualTypeOf<CacheEventName[]>()
  expectTypeOf(events.nextEvent('hit')).resolves.toEqualTypeOf<CacheEvent>()
  // @ts-expect-error not an event name
  events.count('hits')
  // @ts-expect-error a key is never part of an event
  events.count('hit', { key: 'patient:1' })
})
