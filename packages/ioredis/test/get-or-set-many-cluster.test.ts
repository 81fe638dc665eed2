import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, defineKey, type Driver, type Key } from '@cachette/core'
import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { keySlot } from '@cachette/core/redis'
import { randomPrefix } from './support/traffic.js'

interface Item {
  readonly id: number
}

// 25 hash tags: the 1,000 keys fall in at most 25 slots, so a batch per slot really batches.
const itemKey = defineKey<'{{g{group}}}:item:{id}', Item>('{{g{group}}}:item:{id}')
const keyOf = (id: number) => itemKey({ group: id % 25, id })
const idOf = (key: Key<Item> | string) => Number((typeof key === 'string' ? key : key.key).split(':').pop())
const quietLogger = { warn: () => undefined }

/** The driver, counting the `mget` calls the cache makes. */
function countingMgets(inner: Driver): { driver: Driver; mgets: string[][] } {
  const mgets: string[][] = []
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'mget') {
        return (keys: readonly string[]) => {
          mgets.push([...keys])
          return target.mget(keys)
        }
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { driver, mgets }
}

/** MGET commands the servers ran since their last CONFIG RESETSTAT. */
async function serverMgets(connections: readonly Redis[]): Promise<number> {
  const stats = await Promise.all(connections.map((connection) => connection.info('commandstats')))
  return stats.reduce((sum, text) => sum + Number(/cmdstat_mget:calls=(\d+)/.exec(text)?.[1] ?? 0), 0)
}

describe('getOrSetMany on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let inner: Driver
  let masters: Redis[]

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    inner = ioredisDriver({ cluster: cluster.nodes })
    masters = cluster.masters.map((node) => new Redis(node.port, node.host))
  })
  afterAll(async () => {
    await inner?.close()
    for (const master of masters ?? []) master.disconnect()
    await cluster?.stop()
  })

  it('1,000 keys, 400 cached: one loadMany with the 600 missing in order, one MGET per slot group', async () => {
    const { driver, mgets } = countingMgets(inner)
    const prefix = randomPrefix('many')
    const cache = createCache({ driver, prefix, logger: quietLogger, env: false })
    const ids = Array.from({ length: 1_000 }, (_, id) => id)
    const cached = ids.filter((id) => id % 5 < 2)
    expect(await cache.setMany(cached.map((id) => ({ key: keyOf(id), value: { id, cached: true } as Item })))).toEqual(cached.map(() => true))
    await Promise.all(masters.map((master) => master.config('RESETSTAT')))
    mgets.length = 0

    const loads: number[][] = []
    const values = await cache.getOrSetMany(
      ids.map(keyOf),
      async (missing) => {
        loads.push(missing.map(idOf))
        return missing.map((key) => ({ id: idOf(key) }))
      },
      { ttl: '1m' },
    )
    expect(loads).toEqual([ids.filter((id) => id % 5 >= 2)])
    expect(values).toEqual(ids.map((id) => (id % 5 < 2 ? { id, cached: true } : { id })))
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, hits: 400, misses: 600 })

    const slots = new Set(ids.map((id) => keySlot(`${prefix}:${keyOf(id).key}`)))
    expect(slots.size).toBeGreaterThan(1)
    expect(mgets.length).toBe(slots.size)
    for (const sent of mgets) expect(new Set(sent.map(keySlot)).size).toBe(1)
    expect(await serverMgets(masters)).toBe(slots.size)

    // Everything is stored now: the next call loads nothing, again one MGET per slot group.
    await new Promise((resolve) => setTimeout(resolve, 50))
    mgets.length = 0
    const none = await cache.getOrSetMany(ids.map(keyOf), () => {
      throw new Error('nothing should be missing')
    })
    expect(none).toEqual(values)
    expect(mgets.length).toBe(slots.size)
    await cache.close()
  })
})

describe('getOrSetMany on a single redis-server', () => {
  let server: RedisServerHandle
  let inner: Driver
  let connection: Redis

  beforeAll(async () => {
    server = await startRedisServer()
    inner = ioredisDriver({ url: server.url })
    connection = new Redis(server.url)
  })
  afterAll(async () => {
    await inner?.close()
    connection?.disconnect()
    await server?.stop()
  })

  it('1,000 keys, 400 cached: one loadMany with the 600 missing in order, one MGET', async () => {
    const { driver, mgets } = countingMgets(inner)
    const cache = createCache({ driver, prefix: randomPrefix('many'), logger: quietLogger, env: false })
    const ids = Array.from({ length: 1_000 }, (_, id) => id)
    const cached = ids.filter((id) => id % 5 < 2)
    await cache.setMany(cached.map((id) => ({ key: keyOf(id), value: { id, cached: true } as Item })))
    await connection.config('RESETSTAT')
    mgets.length = 0

    const loads: number[][] = []
    const values = await cache.getOrSetMany(ids.map(keyOf), async (missing) => {
      loads.push(missing.map(idOf))
      return missing.map((key) => ({ id: idOf(key) }))
    })
    expect(loads).toEqual([ids.filter((id) => id % 5 >= 2)])
    expect(values).toEqual(ids.map((id) => (id % 5 < 2 ? { id, cached: true } : { id })))
    expect(mgets.length).toBe(1)
    expect(mgets[0]).toHaveLength(1_000)
    expect(await serverMgets([connection])).toBe(1)
    await cache.close()
  })
})
