import RedisMock from 'ioredis-mock'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'

/**
 * ioredis-mock (8.13) behind this driver. The everyday cache commands work; beyond them the mock
 * departs from Redis in ways the conformance suite would have to switch off rather than describe
 * (no type checks at all, lax integer parsing, glob patterns compiled to JS regular expressions,
 * UTF-16 member order...), so the suite is not run on it. Instead each departure is pinned below
 * against a real redis-server: when a later ioredis-mock fixes one, its test fails and the line
 * can go.
 */

type Outcome = { value: unknown } | { code: string | undefined }

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await run() }
  } catch (error) {
    return { code: (error as { code?: string }).code }
  }
}

const mockDriver = (): Driver => ioredisDriver({ client: new RedisMock() as unknown as Redis })

describe('the driver on ioredis-mock', () => {
  it('serves the everyday cache commands as Redis does', async () => {
    const driver = mockDriver()
    expect(await driver.set('patient:1', '{"id":1}', { ttlMs: 60_000 })).toBe(true)
    expect(await driver.set('patient:1', 'other', { condition: 'nx' })).toBe(false)
    expect(await driver.get('patient:1')).toBe('{"id":1}')
    expect(await driver.pttl('patient:1')).toBeGreaterThan(59_000)
    expect(await driver.mget(['patient:1', 'patient:2'])).toEqual(['{"id":1}', null])
    await driver.set('bytes', new Uint8Array([0xff, 0, 1]))
    expect(Array.from((await driver.getBytes('bytes')) ?? [])).toEqual([0xff, 0, 1])
    expect(await driver.hset('h', { a: '1', b: '2' })).toBe(2)
    expect(await driver.hgetall('h')).toEqual({ a: '1', b: '2' })
    expect(await driver.sadd('s', ['x', 'y'])).toBe(2)
    expect((await driver.smembers('s')).sort()).toEqual(['x', 'y'])
    await driver.zadd('z', [{ member: 'a', score: 1 }, { member: 'b', score: 2 }])
    expect(await driver.zrangeByScore('z', { exclusive: 1 }, '+inf')).toEqual([{ member: 'b', score: 2 }])
    expect(await driver.batch([{ op: 'set', key: 'n', value: '1' }, { op: 'incrby', key: 'n', by: 2 }])).toEqual([true, 3])
    expect(await driver.compareAndDelete('n', '3')).toBe(true)
    const keys: string[] = []
    for await (const key of driver.scan('patient:*')) keys.push(key)
    expect(keys).toEqual(['patient:1'])
    expect(await driver.delete(['patient:1', 'h', 's', 'z', 'bytes'])).toBe(5)
    await driver.close()
  })
})

describe('ioredis-mock departs from redis-server', () => {
  let server: RedisServerHandle
  let redis: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    redis = ioredisDriver({ url: server.url })
  })
  afterAll(async () => {
    await redis.close()
    await server.stop()
  })

  /** Runs `scenario` on a real server and on the mock (same keys, fresh prefix) and returns both outcomes. */
  async function both(scenario: (driver: Driver, p: string) => Promise<unknown>): Promise<{ redis: Outcome; mock: Outcome }> {
    const p = `mock-diff:${Math.random().toString(36).slice(2)}:`
    const mock = mockDriver()
    try {
      return { redis: await outcome(() => scenario(redis, p)), mock: await outcome(() => scenario(mock, p)) }
    } finally {
      await mock.close()
    }
  }

  it('has no type checks: a hash command on a string resolves instead of WRONG_TYPE', async () => {
    const result = await both(async (driver, p) => {
      await driver.set(`${p}k`, 'abc')
      return driver.hset(`${p}k`, { f: 'v' })
    })
    expect(result).toEqual({ redis: { code: 'WRONG_TYPE' }, mock: { value: 1 } })
  })

  it('MGET returns the hash itself for a hash key, where Redis returns nil', async () => {
    const result = await both(async (driver, p) => {
      await driver.hset(`${p}h`, { f: '1' })
      return driver.mget([`${p}h`])
    })
    expect(result).toEqual({ redis: { value: [null] }, mock: { value: [{ f: '1' }] } })
  })

  it('INCRBY accepts a decimal string, where Redis refuses with NOT_INTEGER', async () => {
    const result = await both(async (driver, p) => {
      await driver.set(`${p}n`, '1.5')
      return driver.incrby(`${p}n`, 1)
    })
    expect(result).toEqual({ redis: { code: 'NOT_INTEGER' }, mock: { value: 2.5 } })
  })

  it('INCRBY computes in doubles: 9223372036854775806 + 1 is not exact', async () => {
    const result = await both(async (driver, p) => {
      await driver.set(`${p}n`, '9223372036854775806')
      await driver.incrby(`${p}n`, 1)
      return driver.get(`${p}n`)
    })
    expect(result).toEqual({ redis: { value: '9223372036854775807' }, mock: { value: '9223372036854776000' } })
  })

  it('a batch whose INCRBY hits a string gets no error (the driver reads NaN), where EXEC reports NOT_INTEGER', async () => {
    const result = await both(async (driver, p) => {
      await driver.set(`${p}t`, 'abc')
      return driver.batch([{ op: 'incrby', key: `${p}t`, by: 1 }])
    })
    expect(result).toEqual({ redis: { code: 'NOT_INTEGER' }, mock: { value: [Number.NaN] } })
  })

  it('SCAN MATCH compiles the glob to a JS RegExp: an unterminated [ throws instead of matching nothing', async () => {
    const result = await both(async (driver, p) => {
      await driver.set(`${p}k`, 'v')
      const keys: string[] = []
      for await (const key of driver.scan(`${p}k[`)) keys.push(key)
      return keys
    })
    expect(result).toEqual({ redis: { value: [] }, mock: { code: 'DRIVER_FAILURE' } })
  })

  it('orders equal scores by UTF-16 code units, where Redis compares UTF-8 bytes', async () => {
    const result = await both(async (driver, p) => {
      await driver.zadd(`${p}z`, [{ member: '\uffff', score: 1 }, { member: '😀', score: 1 }])
      return (await driver.zrangeByScore(`${p}z`, '-inf', '+inf')).map((entry) => entry.member)
    })
    expect(result).toEqual({ redis: { value: ['\uffff', '😀'] }, mock: { value: ['😀', '\uffff'] } })
  })

  it('keeps an empty sorted set after ZREM of its last member, where Redis deletes the key', async () => {
    const result = await both(async (driver, p) => {
      await driver.zadd(`${p}z`, [{ member: 'a', score: 1 }])
      await driver.zrem(`${p}z`, ['a'])
      return driver.exists([`${p}z`])
    })
    expect(result).toEqual({ redis: { value: 0 }, mock: { value: 1 } })
  })
})
