/**
 * What only the Upstash driver does, through the real @upstash/redis client, over HTTP, to the
 * bridge, to a real redis-server.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isCacheError, type Driver } from '@cachette/core'
import { findFreePort } from '@cachette/testing'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { upstashDriver } from '../src/index.js'
import { bridgeClient, freshKeyPrefix, useUpstashServer } from './support/upstash-server.js'

const server = useUpstashServer()
const opened: Driver[] = []

function driver(options: { responseEncoding?: 'base64' | 'json'; timeoutMs?: number } = {}): Driver {
  const made = upstashDriver({ url: server().bridge.url, token: server().bridge.token, retries: 0, ...options })
  opened.push(made)
  return made
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()))
})

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  )
  if (outcome === undefined) throw new Error('expected a rejection')
  return outcome
}

describe('values', () => {
  it('keeps strings that look like numbers, booleans, null or base64 as the same strings', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    const values = ['123', '-0', '1e3', 'true', 'null', 'abcd', '', 'OK', '"quoted"']
    for (const [i, value] of values.entries()) await d.set(`${p}${i}`, value)
    expect(await d.mget(values.map((_, i) => `${p}${i}`))).toEqual(values)
    for (const [i, value] of values.entries()) expect(await d.get(`${p}${i}`)).toBe(value)
  })

  it('declares binary: false, stores bytes that are UTF-8, and refuses other bytes before sending', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    expect(d.capabilities.binary).toBe(false)
    const utf8 = new TextEncoder().encode('Zoé 😀')
    expect(await d.set(`${p}utf8`, utf8)).toBe(true)
    expect(await d.getBytes(`${p}utf8`)).toEqual(utf8)
    expect(await d.get(`${p}utf8`)).toBe('Zoé 😀')
    const error = await rejection(d.set(`${p}raw`, new Uint8Array([0x61, 0xff, 0x00])))
    expect(error.code).toBe('UNSUPPORTED')
    expect(await d.exists([`${p}raw`])).toBe(0)
    expect((await rejection(d.batch([{ op: 'set', key: `${p}raw`, value: new Uint8Array([0xc3]) }]))).code).toBe('UNSUPPORTED')
  })

  it("keeps a leading U+FEFF only with responseEncoding: 'json' (the client's base64 decoder strips it)", async () => {
    const p = freshKeyPrefix()
    await driver().set(`${p}bom`, '\uFEFF{"a":1}')
    expect(await driver({ responseEncoding: 'json' }).get(`${p}bom`)).toBe('\uFEFF{"a":1}')
    expect(await driver({ responseEncoding: 'base64' }).get(`${p}bom`)).toBe('{"a":1}')
  })
})

describe('pipelining', () => {
  it('reads and deletes more keys than one command carries, in order, in chunked pipelines', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    const keys = Array.from({ length: 2_345 }, (_, i) => `${p}${i}`)
    await d.batch(keys.map((key, i) => ({ op: 'set' as const, key, value: `v${i}` })))
    const missing = `${p}missing`
    const values = await d.mget([...keys, missing])
    expect(values).toHaveLength(keys.length + 1)
    expect(values[0]).toBe('v0')
    expect(values[1_000]).toBe('v1000')
    expect(values[2_344]).toBe('v2344')
    expect(values[2_345]).toBeNull()
    expect(await d.delete([...keys, missing])).toBe(keys.length)
    expect(await d.exists(keys.slice(0, 3))).toBe(0)
  })
})

describe('errors', () => {
  it('maps WRONGTYPE and non-integers to codes, with neither key nor value in message or cause', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    const secretKey = `${p}patient-0042`
    await d.hset(secretKey, { name: 'Zoé' })
    const wrongType = await rejection(d.get(secretKey))
    expect(wrongType.code).toBe('WRONG_TYPE')
    await d.set(`${p}counter`, 'secret-value')
    const notInteger = await rejection(d.incrby(`${p}counter`, 1))
    expect(notInteger.code).toBe('NOT_INTEGER')
    const inBatch = await rejection(d.batch([{ op: 'hincrby', key: secretKey, field: 'name', by: 1 }]))
    expect(inBatch.code).toBe('NOT_INTEGER')
    for (const error of [wrongType, notInteger, inBatch]) {
      expect(isCacheError(error)).toBe(true)
      const text = `${error.message} ${String((error.cause as Error | undefined)?.message)}`
      expect(text).toMatch(/^\[@cachette\/upstash\] /)
      expect(text).not.toContain('patient-0042')
      expect(text).not.toContain('secret-value')
      expect(text).not.toContain('Zoé')
    }
  })

  it('reports a wrong token as a driver failure without the token', async () => {
    const d = upstashDriver({ url: server().bridge.url, token: 'wrong-token-4f1c', retries: 0 })
    opened.push(d)
    const error = await rejection(d.ping())
    expect(error.code).toBe('DRIVER_FAILURE')
    expect(error.message).toContain('refused the token')
    expect(error.message).not.toContain('wrong-token-4f1c')
  })

  it('reports an unreachable server as a driver failure', async () => {
    const port = await findFreePort()
    const d = upstashDriver({ url: `http://127.0.0.1:${port}`, token: 't', retries: 0 })
    opened.push(d)
    expect((await rejection(d.get('k'))).code).toBe('DRIVER_FAILURE')
  })

  it('gives up on a server that never answers after timeoutMs, with DEADLINE_EXCEEDED', async () => {
    const silent: Server = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const d = upstashDriver({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 't', timeoutMs: 150 })
      opened.push(d)
      const started = Date.now()
      expect((await rejection(d.get('k'))).code).toBe('DEADLINE_EXCEEDED')
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})

describe('compareAndDelete', () => {
  it('falls back to EVAL when the server lost its scripts (NOSCRIPT)', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    await bridgeClient(server()).exec(['SCRIPT', 'FLUSH'])
    await d.set(`${p}lock`, 'owner-1')
    expect(await d.compareAndDelete(`${p}lock`, 'owner-2')).toBe(false)
    expect(await d.compareAndDelete(`${p}lock`, 'owner-1')).toBe(true)
    expect(await d.exists([`${p}lock`])).toBe(0)
    await bridgeClient(server()).exec(['SCRIPT', 'FLUSH'])
    await d.set(`${p}entry`, '@cf claim')
    expect(await d.compareAndSet?.(`${p}entry`, 'other', 'value', { ttlMs: 60_000 })).toBe(false)
    expect(await d.compareAndSet?.(`${p}entry`, '@cf claim', 'value', { ttlMs: 60_000 })).toBe(true)
    expect(await d.get(`${p}entry`)).toBe('value')
  })
})

describe('sorted sets', () => {
  it('reads infinite scores back as Infinity', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    await d.zadd(`${p}z`, [{ member: 'low', score: -Infinity }, { member: 'mid', score: 0.5 }, { member: 'high', score: Infinity }])
    expect(await d.zrangeByScore(`${p}z`, '-inf', '+inf')).toEqual([
      { member: 'low', score: -Infinity },
      { member: 'mid', score: 0.5 },
      { member: 'high', score: Infinity },
    ])
    expect(await d.zrangeByScore(`${p}z`, { exclusive: 0.5 }, '+inf', { reverse: true })).toEqual([{ member: 'high', score: Infinity }])
  })
})

describe('subscribe', () => {
  it('works with channel names that a URL or the SSE line format would mangle', async () => {
    const d = driver()
    const p = freshKeyPrefix()
    for (const name of ['a,b,c', 'x/y?z#w%20 é', '{tag}:ch']) {
      const received: string[] = []
      const stop = await d.subscribe(`${p}${name}`, (message) => received.push(message))
      expect(await d.publish(`${p}${name}`, 'm,1')).toBe(1)
      await expect.poll(() => received).toEqual(['m,1'])
      await stop()
    }
  })

  it('rejects when the server refuses the subscription', async () => {
    const d = upstashDriver({ url: server().bridge.url, token: 'wrong', retries: 0, subscribeTimeoutMs: 5_000 })
    opened.push(d)
    expect((await rejection(d.subscribe('c', () => undefined))).code).toBe('DRIVER_FAILURE')
  })
})

describe('a client handed to the driver', () => {
  it('refuses a client that deserializes answers', () => {
    expect(() => upstashDriver({ client: bridgeClient(server(), { automaticDeserialization: true }) })).toThrow(/automaticDeserialization: false/)
  })

  it('is left open by close(), which ends only the driver subscriptions', async () => {
    const client = bridgeClient(server())
    const d = upstashDriver({ client })
    const p = freshKeyPrefix()
    await d.subscribe(`${p}ch`, () => undefined)
    expect(await client.exec(['PUBSUB', 'NUMSUB', `${p}ch`])).toEqual([`${p}ch`, 1])
    await d.close()
    expect((await rejection(d.get(`${p}k`))).code).toBe('CLOSED')
    expect(await client.exec(['PING'])).toBe('PONG')
    await expect.poll(() => client.exec(['PUBSUB', 'NUMSUB', `${p}ch`])).toEqual([`${p}ch`, 0])
  })
})

describe('info', () => {
  it("reads redis-server's INFO into numbers", async () => {
    const d = driver()
    const p = freshKeyPrefix()
    await d.set(`${p}k`, 'v')
    const info = await d.info()
    expect(info.keys).toBeGreaterThanOrEqual(1)
    expect(info.usedMemoryBytes).toBeGreaterThan(0)
    expect(info.totalCommands).toBeGreaterThan(0)
    expect(info.connectedClients).toBeGreaterThanOrEqual(1)
    expect(typeof info.keyspaceHits).toBe('number')
  })
})

afterAll(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()))
})
