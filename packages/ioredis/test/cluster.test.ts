import { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, defineKey, isCacheError, type Driver } from '@cachette/core'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { keySlot } from '../src/key-slot.js'
import { randomPrefix } from './support/traffic.js'

/** What only a cluster asks of the driver: work per master, slots, hash tags. */
describe('ioredis driver on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let driver: Driver
  /** Plain connections to each master, to look at what each one holds. */
  let masters: Redis[]
  const quietLogger = { warn: () => undefined }

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    driver = ioredisDriver({ cluster: cluster.nodes })
    masters = cluster.masters.map((node) => new Redis(node.port, node.host))
  })
  afterAll(async () => {
    await driver.close()
    for (const master of masters) master.disconnect()
    await cluster.stop()
  })

  /** Keys matching `pattern` on each master, read directly from that master. */
  async function keysPerMaster(pattern: string): Promise<number[]> {
    return Promise.all(
      masters.map(async (master) => {
        let cursor = '0'
        let count = 0
        do {
          const [next, keys] = await master.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
          cursor = next
          count += keys.length
        } while (cursor !== '0')
        return count
      }),
    )
  }

  it('cache.deletePattern removes every matching key on every master, and only those', async () => {
    const prefix = randomPrefix('dp')
    const cache = createCache({ driver, prefix, logger: quietLogger, env: false })
    const item = defineKey('item:{id}')
    const other = defineKey('other:{id}')
    for (let id = 0; id < 300; id++) await cache.set(item({ id }), { id })
    for (let id = 0; id < 30; id++) await cache.set(other({ id }), { id })

    const before = await keysPerMaster(`${prefix}:item:*`)
    // The keys really are spread: a SCAN of one node (what a cluster client does by default) would miss most.
    for (const count of before) expect(count).toBeGreaterThan(0)
    expect(before.reduce((a, b) => a + b, 0)).toBe(300)

    expect(await cache.deletePattern(item.pattern({}))).toBe(300)
    expect(await keysPerMaster(`${prefix}:item:*`)).toEqual([0, 0, 0])
    expect((await keysPerMaster(`${prefix}:other:*`)).reduce((a, b) => a + b, 0)).toBe(30)
  })

  it('scan yields the keys of every master', async () => {
    const prefix = randomPrefix('scan')
    const keys = Array.from({ length: 120 }, (_, i) => `${prefix}:k${i}`)
    for (const key of keys) await driver.set(key, 'v', { ttlMs: 60_000 })
    const seen = new Set<string>()
    for await (const key of driver.scan(`${prefix}:*`, { count: 10 })) seen.add(key)
    expect([...seen].sort()).toEqual([...keys].sort())
    expect(await driver.delete(keys)).toBe(120)
  })

  it('a batch over keys of different slots rejects with CROSS_SLOT and sends nothing', async () => {
    const prefix = randomPrefix('xslot')
    let second = 1
    while (keySlot(`${prefix}:${second}`) === keySlot(`${prefix}:0`)) second++
    const multiCalls = async () => {
      const stats = await Promise.all(masters.map((master) => master.info('commandstats')))
      return stats.reduce((sum, text) => sum + Number(/cmdstat_multi:calls=(\d+)/.exec(text)?.[1] ?? 0), 0)
    }
    const multisBefore = await multiCalls()
    const outcome = await driver
      .batch([
        { op: 'set', key: `${prefix}:0`, value: 'a' },
        { op: 'set', key: `${prefix}:${second}`, value: 'b' },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(isCacheError(outcome) && outcome.code).toBe('CROSS_SLOT')
    expect((outcome as Error).message).not.toContain(prefix)
    expect(await multiCalls()).toBe(multisBefore)
    expect(await driver.exists([`${prefix}:0`, `${prefix}:${second}`])).toBe(0)
  })

  it('key templates with a {hash tag} put related keys in one slot, so a batch over them runs', async () => {
    const prefix = randomPrefix('tag')
    const messages = defineKey('{{conv:{id}}}:messages')
    const meta = defineKey('{{conv:{id}}}:meta')
    const messagesKey = `${prefix}:${messages({ id: 42 }).key}`
    const metaKey = `${prefix}:${meta({ id: 42 }).key}`
    expect(messagesKey).toBe(`${prefix}:{conv:42}:messages`)
    const [slotA, slotB] = await Promise.all([masters[0]!.cluster('KEYSLOT', messagesKey), masters[0]!.cluster('KEYSLOT', metaKey)])
    expect(slotA).toBe(slotB)
    expect(await driver.batch([
      { op: 'set', key: messagesKey, value: '[]', ttlMs: 60_000 },
      { op: 'hset', key: metaKey, fields: { count: '0' } },
      { op: 'hincrby', key: metaKey, field: 'count', by: 1 },
    ])).toEqual([true, 1, 1])
    expect(await driver.hgetall(metaKey)).toEqual({ count: '1' })
    await driver.delete([messagesKey, metaKey])
  })

  it('computes the slot of a key as Redis does (hash tags, empty tags, UTF-8)', async () => {
    const keys = ['', 'a', 'user:1000', '{user1000}.following', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{}', 'a{', 'é{ü}', '😀', 'x'.repeat(300)]
    for (const key of keys) expect(keySlot(key), key).toBe(await masters[0]!.cluster('KEYSLOT', key))
  })

  it('mget, exists and delete split keys by slot and keep the caller order', async () => {
    const prefix = randomPrefix('multi')
    const keys = Array.from({ length: 50 }, (_, i) => `${prefix}:${i}`)
    for (const [i, key] of keys.entries()) if (i % 2 === 0) await driver.set(key, `v${i}`)
    const values = await driver.mget([...keys, `${prefix}:missing`])
    expect(values).toEqual([...keys.map((_, i) => (i % 2 === 0 ? `v${i}` : null)), null])
    expect(await driver.exists([...keys, keys[0]!])).toBe(26)
    expect(await driver.delete(keys)).toBe(25)
    expect(await driver.exists(keys)).toBe(0)
  })

  it('works on a Cluster client handed in, and leaves it open', async () => {
    const client = new Cluster([...cluster.nodes])
    const handed = ioredisDriver({ client })
    expect(handed.capabilities.crossSlotBatch).toBe(false)
    const prefix = randomPrefix('handed')
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:${i}`)
    for (const key of keys) await handed.set(key, 'v', { ttlMs: 60_000 })
    const seen = new Set<string>()
    for await (const key of handed.scan(`${prefix}:*`)) seen.add(key)
    expect(seen.size).toBe(30)
    await handed.close()
    expect(client.status).toBe('ready')
    expect(await client.del(...keys.slice(0, 1))).toBe(1)
    client.disconnect()
    await driver.delete(keys)
  })

  it('info adds up the masters', async () => {
    const info = await driver.info()
    const dbsizes = await Promise.all(masters.map((master) => master.dbsize()))
    expect(info.keys).toBe(dbsizes.reduce((a, b) => a + b, 0))
    expect(info.connectedClients).toBeGreaterThanOrEqual(3)
  })
})
