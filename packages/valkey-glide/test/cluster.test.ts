import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, isCacheError, type Driver } from '@cachette/core'
import { keySlot } from '@cachette/core/redis'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { glideDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/** What only a cluster shows: keys spread over every master, found and deleted on all of them. */
describe('valkey-glide on a 3-master cluster', () => {
  let cluster: RedisClusterHandle
  let driver: Driver
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    driver = glideDriver({ addresses: cluster.nodes.map((node) => ({ host: node.host, port: node.port })), clusterMode: true })
  })
  afterAll(async () => {
    await driver?.close()
    await cluster?.stop()
  })

  it('scan, mget, exists and delete reach keys of every master (no hash tag)', async () => {
    const prefix = randomPrefix('spread')
    const keys = Array.from({ length: 300 }, (_, i) => `${prefix}:k${i}`)
    expect(new Set(keys.map((key) => Math.floor(keySlot(key) / 5462))).size).toBe(3)
    await Promise.all(keys.map((key) => driver.set(key, key)))
    const scanned: string[] = []
    for await (const key of driver.scan(`${prefix}:*`, { count: 50 })) scanned.push(key)
    expect(scanned.sort()).toEqual([...keys].sort())
    expect(await driver.mget(keys)).toEqual(keys)
    expect(await driver.exists(keys)).toBe(300)
    expect((await driver.info()).keys).toBeGreaterThanOrEqual(300)
    expect(await driver.delete(keys)).toBe(300)
    expect(await driver.exists(keys)).toBe(0)
  })

  it("a cache's deletePattern and clear() empty the prefix on every master", async () => {
    const prefix = randomPrefix('clear')
    const cache = createCache({ driver, prefix, env: false })
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => cache.set(`patient:${i}`, i)))
      expect(await cache.deletePattern('patient:1*')).toBe(111)
      expect(await cache.get('patient:15')).toBeUndefined()
      expect(await cache.get('patient:20')).toBe(20)
      expect(await cache.clear()).toBeGreaterThanOrEqual(89)
      // What is left of the prefix are the fence's tombstones, never a value.
      const values = await Promise.all(Array.from({ length: 200 }, (_, i) => cache.get(`patient:${i}`)))
      expect(values.filter((value) => value !== undefined)).toEqual([])
    } finally {
      await cache.close()
    }
  })

  it('refuses a cross-slot batch with CROSS_SLOT before sending anything', async () => {
    const prefix = randomPrefix('batch')
    const error = await driver
      .batch([
        { op: 'set', key: `${prefix}:a`, value: '1' },
        { op: 'set', key: `${prefix}:b`, value: '2' },
      ])
      .then(() => undefined, (failure: unknown) => failure)
    expect(isCacheError(error) && error.code).toBe('CROSS_SLOT')
    expect(await driver.exists([`${prefix}:a`, `${prefix}:b`])).toBe(0)
    expect(driver.capabilities.crossSlotBatch).toBe(false)
  })
})
