/**
 * The bridge driven by the official @upstash/redis client over real HTTP: what a user of the
 * client sees, with base64 response encoding on (the client's default) and off.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '../src/index.js'
import { RespConnection } from '../src/upstash-bridge/resp-connection.js'

let server: RedisServerHandle
let bridge: UpstashBridge
let direct: RespConnection

beforeAll(async () => {
  server = await startRedisServer()
  bridge = await startUpstashBridge({ redisUrl: server.url, token: 'bridge-test-token' })
  direct = await RespConnection.open({ host: server.host, port: server.port })
})

afterAll(async () => {
  direct?.close()
  await bridge?.stop()
  await server?.stop()
})

const key = () => `client:${randomUUID()}`

function client(options: { base64?: boolean; token?: string; autoPipelining?: boolean } = {}) {
  return new Redis({
    url: bridge.url,
    token: options.token ?? bridge.token,
    automaticDeserialization: false,
    responseEncoding: options.base64 === false ? false : 'base64',
    enableAutoPipelining: options.autoPipelining ?? false,
    enableTelemetry: false,
    retry: false,
  })
}

// Valid base64 themselves, numbers and JSON literals, empty, NUL, astral characters, newlines.
const tricky = ['abcd', '1234', 'true', 'null', '', 'OK', '0', '-1.5e3', 'é🎉\u0000中', 'line\r\nbreak', ' padded ', '{"id":42}', 'x'.repeat(100_000)]

describe.each([
  { base64: true, label: 'base64 on (the client default)' },
  { base64: false, label: 'base64 off' },
])('@upstash/redis with $label', ({ base64 }) => {
  it('round-trips every tricky string exactly through set / get / mget', async () => {
    const redis = client({ base64 })
    const keys = tricky.map(() => key())
    for (const [i, value] of tricky.entries()) expect(await redis.set(keys[i] as string, value)).toBe('OK')
    for (const [i, value] of tricky.entries()) expect(await redis.get(keys[i] as string)).toBe(value)
    expect(await redis.mget(...keys, key())).toEqual([...tricky, null])
  })

  it('reports a pipeline whose middle command fails, keeping the others', async () => {
    const redis = client({ base64 })
    const k = key()
    const pipeline = redis.pipeline().set(k, 'true').incr(k).get(k)
    const results = await pipeline.exec({ keepErrors: true })
    expect(results[0]).toEqual({ result: 'OK', error: undefined })
    expect(results[1]?.error).toBe('ERR value is not an integer or out of range')
    expect(results[2]).toEqual({ result: 'true', error: undefined })
    await expect(redis.pipeline().get(k).incr(k).exec()).rejects.toThrow(/Command 2 \[ incr \] failed/)
  })

  it('runs multi() as a transaction with its results in order', async () => {
    const redis = client({ base64 })
    const k = key()
    const results = await redis.multi().set(k, '1234').incrby(k, 1).get(k).hset(`${k}:h`, { f: 'null' }).hgetall(`${k}:h`).exec()
    expect(results).toEqual(['OK', 1235, '1235', 1, ['f', 'null']])
  })

  it('returns integers as numbers and missing values as null', async () => {
    const redis = client({ base64 })
    const k = key()
    expect(await redis.incrby(k, 5)).toBe(5)
    expect(await redis.get(key())).toBeNull()
    expect(await redis.exists(k, key())).toBe(1)
    expect(await redis.ping()).toBe('PONG')
  })

  it('surfaces Redis errors as rejections', async () => {
    const redis = client({ base64 })
    const k = key()
    await redis.hset(k, { f: 'v' })
    await expect(redis.get(k)).rejects.toThrow(/^WRONGTYPE /)
  })
})

describe('what cannot cross Upstash REST exactly', () => {
  it('turns bytes that are not UTF-8 into U+FFFD, with base64 on or off', async () => {
    const k = key()
    await direct.send([[Buffer.from('SET'), Buffer.from(k), Buffer.from([0x61, 0xff, 0x62, 0xc3])]])
    expect(await client({ base64: true }).get(k)).toBe('a\uFFFDb\uFFFD')
    expect(await client({ base64: false }).get(k)).toBe('a\uFFFDb\uFFFD')
  })

  it('loses a leading U+FEFF with base64 on (the client decodes with a BOM-stripping TextDecoder)', async () => {
    const k = key()
    await client().set(k, '\uFEFFabc')
    // The bytes on the server are intact ...
    const [stored] = await direct.send([[Buffer.from('GET'), Buffer.from(k)]])
    expect(stored).toEqual({ kind: 'bulk', value: Buffer.from('\uFEFFabc', 'utf8') })
    // ... but the base64 path drops the BOM on the way back; the JSON path keeps it.
    expect(await client({ base64: true }).get(k)).toBe('abc')
    expect(await client({ base64: false }).get(k)).toBe('\uFEFFabc')
  })
})

describe('authentication through the client', () => {
  it('rejects every command when the token is wrong', async () => {
    await expect(client({ token: 'not-the-token' }).get(key())).rejects.toThrow(/Unauthorized/)
  })
})

describe('auto-pipelining', () => {
  it('batches concurrent commands into /pipeline and keeps each result with its caller', async () => {
    const redis = client({ autoPipelining: true })
    const keys = Array.from({ length: 50 }, () => key())
    await Promise.all(keys.map((k, i) => redis.set(k, tricky[i % tricky.length] as string)))
    const values = await Promise.all(keys.map((k) => redis.get(k)))
    expect(values).toEqual(keys.map((_, i) => tricky[i % tricky.length]))
  })
})

describe('subscribe over server-sent events', () => {
  it('delivers messages exactly, commas and JSON-looking payloads included', async () => {
    const redis = client()
    const channel = `events:${randomUUID()}`
    const subscriber = redis.subscribe([channel])
    const received: unknown[] = []
    const subscribed = new Promise<number>((resolve) => subscriber.on('subscribe', resolve))
    subscriber.on('message', ({ message }) => received.push(message))
    expect(await subscribed).toBe(1)
    for (const message of ['1234', 'null', 'a,b,c', '{"k":"v"}', 'é🎉']) await redis.publish(channel, message)
    await expect.poll(() => received.length).toBe(5)
    expect(received).toEqual(['1234', 'null', 'a,b,c', '{"k":"v"}', 'é🎉'])
    await subscriber.unsubscribe()
    await expect.poll(async () => redis.exec(['PUBSUB', 'NUMSUB', channel])).toEqual([channel, 0])
  })
})
