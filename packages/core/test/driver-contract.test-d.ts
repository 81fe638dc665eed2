import { describe, expectTypeOf, it } from 'vitest'
import {
  createCache,
  hasCapabilities,
  memoryDriver,
  requireCapabilities,
  type BaseDriver,
  type BatchCommands,
  type Driver,
  type DriverWith,
  type HashCommands,
} from '../src/index.js'

// Type-checked only: the calls sit in functions that are never called.
const typeOnly = (check: (driver: BaseDriver) => unknown): void => void check

/** A driver with the base commands and nothing else, as a third party would write it. */
const baseOnly = {
  name: 'map',
  capabilities: { binary: false, hashes: false, sets: false, sortedSets: false, pubsub: false, batch: false, crossSlotBatch: false, compareAndDelete: false },
  get: async (_key: string) => null,
  mget: async (keys: readonly string[]) => keys.map(() => null),
  set: async () => true,
  delete: async () => 0,
  pexpire: async () => false,
  scan: async function* (_pattern: string) {},
  compareAndDelete: async () => false,
  ping: async () => undefined,
  info: async () => ({}),
  close: async () => undefined,
}

describe('the driver contract', () => {
  it('createCache accepts a driver with the base commands only', () => {
    expectTypeOf(baseOnly).toExtend<BaseDriver>()
    expectTypeOf(baseOnly).not.toExtend<Driver>()
    typeOnly(() => createCache({ driver: baseOnly, env: false }))
  })

  it('a BaseDriver has no command of a group', () => {
    typeOnly((driver: BaseDriver) => {
      // @ts-expect-error hset belongs to HashCommands, announced by capabilities.hashes
      void driver.hset('fhir:export:Patient:ej:7', { status: 'running' })
      // @ts-expect-error incrby belongs to CounterCommands
      void driver.incrby('messaging:conversation:c1:unread', 1)
      // @ts-expect-error pttl belongs to InspectionCommands
      void driver.pttl('identity:patient:42')
    })
    expectTypeOf<BaseDriver>().not.toHaveProperty('hset')
    expectTypeOf<BaseDriver>().not.toHaveProperty('getBytes')
    expectTypeOf<BaseDriver>().not.toHaveProperty('batch')
  })

  it('requireCapabilities returns the driver typed with the groups asked for, and only those', () => {
    typeOnly((driver: BaseDriver) => {
      const store = requireCapabilities(driver, ['hashes', 'batch'], '@acme/fhir-export')
      expectTypeOf(store).toExtend<BaseDriver & HashCommands & BatchCommands>()
      void store.hset('fhir:export:Patient:ej:7', { status: 'running' })
      void store.batch([{ op: 'hdel', key: 'fhir:export:Patient:ej:7', fields: ['status'] }])
      // @ts-expect-error sadd needs 'sets', which was not asked for
      void store.sadd('messaging:conversation:c1:participants', ['patient:42'])
    })
  })

  it('requireCapabilities keeps the type it was given', () => {
    expectTypeOf(requireCapabilities(memoryDriver(), ['hashes'], 'x')).toExtend<Driver>()
    expectTypeOf(requireCapabilities(baseOnly, ['sets'], 'x')).toExtend<typeof baseOnly>()
  })

  it('hasCapabilities narrows within its branch', () => {
    typeOnly((driver: BaseDriver) => {
      if (hasCapabilities(driver, ['hashes'])) void driver.hgetall('fhir:export:Patient:ej:7')
      // @ts-expect-error outside the branch the driver is a BaseDriver again
      void driver.hgetall('fhir:export:Patient:ej:7')
    })
  })

  it('compareAndSet is optional on the base and required once asked for', () => {
    expectTypeOf<BaseDriver['compareAndSet']>().toBeNullable()
    typeOnly((driver: BaseDriver) => {
      // @ts-expect-error possibly undefined: not every driver has it
      void driver.compareAndSet('identity:patient:42', 'old', 'new')
      void requireCapabilities(driver, ['compareAndSet'], 'x').compareAndSet('identity:patient:42', 'old', 'new')
    })
  })

  it('a full Driver is a BaseDriver, with every group but compareAndSet', () => {
    expectTypeOf<Driver>().toExtend<BaseDriver>()
    expectTypeOf<Driver>().toExtend<DriverWith<'binary' | 'counters' | 'inspection' | 'hashes' | 'sets' | 'sortedSets' | 'pubsub' | 'batch'>>()
    expectTypeOf<Driver>().not.toExtend<DriverWith<'compareAndSet'>>()
    expectTypeOf(memoryDriver()).toEqualTypeOf<Driver>()
  })

  it('behaviour flags add no method', () => {
    expectTypeOf<DriverWith<'crossSlotBatch' | 'compareAndDelete'>>().toEqualTypeOf<BaseDriver>()
    expectTypeOf<DriverWith<never>>().toEqualTypeOf<BaseDriver>()
  })
})
