import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, defineKey, type Driver } from '@cachette/core'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { keySlot } from '@cachette/core/redis'
import { randomPrefix } from './support/traffic.js'

const recordKey = defineKey('record:{patient}:{id}', { subjects: ({ patient }) => [`patient:${patient}`] })
const quietLogger = { warn: () => undefined }

/** Every key of the cluster under `prefix`, scanned on each master. */
async function keysOf(masters: readonly Redis[], prefix: string): Promise<string[]> {
  const keys: string[] = []
  for (const master of masters) keys.push(...(await master.keys(`${prefix}*`)))
  return keys.sort()
}

describe('cache.forget on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let driver: Driver
  let masters: Redis[]

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    driver = ioredisDriver({ cluster: cluster.nodes })
    masters = cluster.masters.map((node) => new Redis(node.port, node.host))
  })
  afterAll(async () => {
    await driver?.close()
    for (const master of masters ?? []) master.disconnect()
    await cluster?.stop()
  })

  for (const fence of [true, false]) {
    it(`removes every entry of one subject, spread over slots and masters, and only those (fence ${fence ? 'on' : 'off'})`, async () => {
      const prefix = randomPrefix('forget')
      const cache = createCache({ env: false, logger: quietLogger, driver, prefix, ttl: '10m', ...(fence ? {} : { fence: false }) })
      const ids = Array.from({ length: 60 }, (_, i) => i)
      for (const patient of [42, 7]) {
        expect(await cache.setMany(ids.map((id) => ({ key: recordKey({ patient, id }), value: { patient, id } })))).toEqual(ids.map(() => true))
      }
      // An entry of two subjects, through the call.
      expect(await cache.set('shared:1', { both: true }, { subjects: ['patient:42', 'patient:7'] })).toBe(true)
      const entryKeys = ids.map((id) => `${prefix}:${recordKey({ patient: 42, id }).key}`)
      const slots = new Set(entryKeys.map((key) => keySlot(key)))
      expect(slots.size).toBeGreaterThan(30)
      // ...held by each of the three masters.
      const holders = await Promise.all(masters.map(async (master) => (await master.keys(`${prefix}:record:42:*`)).length))
      expect(holders.every((count) => count > 0)).toBe(true)
      for (const key of await keysOf(masters, prefix)) expect(key).not.toMatch(/patient:(42|7)/)

      expect(await cache.forget('patient:42')).toBe(61)

      for (const id of ids) expect(await cache.get(recordKey({ patient: 42, id }))).toBeUndefined()
      expect(await cache.get('shared:1')).toBeUndefined()
      for (const id of ids) expect(await cache.get(recordKey({ patient: 7, id }))).toEqual({ patient: 7, id })
      const left = await keysOf(masters, prefix)
      // No entry of patient 42 holds a value (with the fence on, tombstones stand in their place).
      const values = await Promise.all(left.filter((name) => name.includes(':record:42:')).map((name) => driver.get(name)))
      for (const value of values) expect(value).toMatch(/^@cf /)
      expect(values.length).toBe(fence ? 60 : 0)
      // One index is left: patient 7's.
      expect(left.filter((name) => name.includes('cachette:subject:'))).toHaveLength(1)
      expect(await cache.forget('patient:7')).toBe(60) // shared:1 is already gone
      expect((await keysOf(masters, prefix)).filter((name) => name.includes('cachette:subject:'))).toEqual([])
      await cache.close()
    })
  }
})
