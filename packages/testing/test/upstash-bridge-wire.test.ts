/**
 * The bridge's wire format, checked with raw fetch: what exactly goes over HTTP. The values are
 * the ones a half-right encoder corrupts silently: "abcd", "1234", "true", "null" are valid
 * base64 themselves, so a bridge that forgot to encode would still "decode" on the client.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '../src/index.js'
import { RespConnection } from '../src/upstash-bridge/resp-connection.js'

let server: RedisServerHandle
let bridge: UpstashBridge
let direct: RespConnection

beforeAll(async () => {
  server = await startRedisServer()
  bridge = await startUpstashBridge({ redis: { host: server.host, port: server.port } })
  direct = await RespConnection.open({ host: server.host, port: server.port })
})

afterAll(async () => {
  direct?.close()
  await bridge?.stop()
  await server?.stop()
})

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
const key = () => `wire:${randomUUID()}`

async function post(path: string, body: unknown, options: { base64?: boolean; token?: string | null } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  const token = options.token === undefined ? bridge.token : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (options.base64) headers['Upstash-Encoding'] = 'base64'
  const response = await fetch(`${bridge.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as unknown }
}

const tricky = ['abcd', '1234', 'true', 'null', '', 'OK', 'é🎉\u0000中\n"\\', '{"a":1}']

describe('authentication', () => {
  it('answers 401 with a JSON error when the token is missing or wrong, on every endpoint', async () => {
    for (const path of ['/', '/pipeline', '/multi-exec', '/subscribe/c']) {
      expect(await post(path, ['PING'], { token: null })).toEqual({ status: 401, body: { error: expect.any(String) } })
      expect((await post(path, ['PING'], { token: `${bridge.token}x` })).status).toBe(401)
    }
  })

  it('accepts the token as the _token query parameter too', async () => {
    const response = await fetch(`${bridge.url}/?_token=${bridge.token}`, { method: 'POST', body: '["ECHO","hi"]' })
    expect(await response.json()).toEqual({ result: 'hi' })
  })
})

describe('POST / with Upstash-Encoding: base64', () => {
  it('base64-encodes every bulk string, including values that are valid base64 already', async () => {
    for (const value of tricky) {
      const k = key()
      expect(await post('/', ['SET', k, value], { base64: true })).toEqual({ status: 200, body: { result: 'OK' } })
      expect(await post('/', ['GET', k], { base64: true })).toEqual({ status: 200, body: { result: b64(value) } })
    }
  })

  it('keeps a top-level OK plain but encodes other status replies and nested statuses', async () => {
    expect((await post('/', ['PING'], { base64: true })).body).toEqual({ result: b64('PONG') })
    expect((await post('/', ['EVAL', "return redis.status_reply('OK')", '0'], { base64: true })).body).toEqual({ result: 'OK' })
    const nested = await post('/', ['EVAL', "return {redis.status_reply('OK'), 7, 'x', false}", '0'], { base64: true })
    // Lua false becomes a nil reply; the integer stays a number.
    expect(nested.body).toEqual({ result: [b64('OK'), 7, b64('x'), null] })
  })

  it('leaves integers and nil untouched, recursively in arrays', async () => {
    const k = key()
    expect((await post('/', ['INCRBY', k, 41], { base64: true })).body).toEqual({ result: 41 })
    expect((await post('/', ['MGET', k, key(), k], { base64: true })).body).toEqual({ result: [b64('41'), null, b64('41')] })
    expect((await post('/', ['GET', key()], { base64: true })).body).toEqual({ result: null })
  })

  it('returns stored bytes exactly, even when they are not UTF-8', async () => {
    const k = key()
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x61, 0x0d, 0x0a])
    await direct.send([[Buffer.from('SET'), Buffer.from(k), bytes]])
    expect((await post('/', ['GET', k], { base64: true })).body).toEqual({ result: bytes.toString('base64') })
  })
})

describe('POST / without base64', () => {
  it('returns strings as JSON strings, exactly for UTF-8', async () => {
    for (const value of tricky) {
      const k = key()
      await post('/', ['SET', k, value])
      expect(await post('/', ['GET', k])).toEqual({ status: 200, body: { result: value } })
    }
  })

  it('replaces invalid UTF-8 with U+FFFD, as Upstash documents', async () => {
    const k = key()
    await direct.send([[Buffer.from('SET'), Buffer.from(k), Buffer.from([0x61, 0xff, 0x62])]])
    expect((await post('/', ['GET', k])).body).toEqual({ result: 'a\uFFFDb' })
  })

  it('sends numbers and booleans as their decimal / literal text', async () => {
    const k = key()
    await post('/', ['SET', k, 12.5])
    expect((await post('/', ['GET', k])).body).toEqual({ result: '12.5' })
    await post('/', ['SET', k, true])
    expect((await post('/', ['GET', k])).body).toEqual({ result: 'true' })
  })

  it('answers a Redis error with HTTP 400 and { error }', async () => {
    const k = key()
    await post('/', ['SET', k, 'x'])
    const response = await post('/', ['INCR', k])
    expect(response.status).toBe(400)
    expect(response.body).toEqual({ error: 'ERR value is not an integer or out of range' })
  })

  it('refuses a body that is not a command, and commands that would hijack the connection', async () => {
    expect((await post('/', { set: 1 })).status).toBe(400)
    expect((await post('/', [])).status).toBe(400)
    expect((await post('/', ['SET', 'k', null])).status).toBe(400)
    expect((await post('/', ['SUBSCRIBE', 'c'])).status).toBe(400)
    expect((await post('/', ['MULTI'])).status).toBe(400)
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' })
  })
})

describe('POST /pipeline', () => {
  it('answers 200 with one entry per command, a failing command as { error } in its place', async () => {
    const k = key()
    const response = await post('/pipeline', [['SET', k, 'null'], ['INCR', k], ['GET', k], ['EXISTS', k, k]], { base64: true })
    expect(response).toEqual({
      status: 200,
      body: [
        { result: 'OK' },
        { error: 'ERR value is not an integer or out of range' },
        { result: b64('null') },
        { result: 2 },
      ],
    })
  })
})

describe('POST /multi-exec', () => {
  it('runs the commands as one transaction; errors at run time stay inside the array', async () => {
    const k = key()
    const response = await post('/multi-exec', [['SET', k, 'true'], ['HSET', k, 'f', 'v'], ['GET', k]], { base64: true })
    expect(response).toEqual({
      status: 200,
      body: [
        { result: 'OK' },
        { error: expect.stringMatching(/^WRONGTYPE /) },
        { result: b64('true') },
      ],
    })
  })

  it('discards the whole transaction with one { error } when a command is refused at queue time', async () => {
    const k = key()
    const response = await post('/multi-exec', [['SET', k, 'v'], ['GET'], ['SET', k, 'w']])
    expect(response.status).toBe(400)
    expect(response.body).toEqual({ error: expect.stringMatching(/^EXECABORT /) })
    expect((await post('/', ['EXISTS', k])).body).toEqual({ result: 0 })
  })
})

describe('POST /subscribe/<channel>', () => {
  it('streams server-sent events: a subscribe event, then one data line per message', async () => {
    const channel = `ch:${randomUUID()}`
    const abort = new AbortController()
    const response = await fetch(`${bridge.url}/subscribe/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}`, Accept: 'text/event-stream', 'Upstash-Encoding': 'base64' },
      signal: abort.signal,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        text += decoder.decode(value, { stream: true })
      }
    }
    await readUntil('\n\n')
    expect(text).toBe(`data: subscribe,${channel},1\n\n`)
    // Event data is never base64: the client does not decode it.
    expect(await post('/', ['PUBLISH', channel, 'abcd,1234'], { base64: true })).toEqual({ status: 200, body: { result: 1 } })
    await post('/', ['PUBLISH', channel, 'two\nlines'])
    await readUntil('lines\n\n')
    expect(text).toBe(`data: subscribe,${channel},1\n\ndata: message,${channel},abcd,1234\n\ndata: message,${channel},two\ndata: lines\n\n`)
    abort.abort()
    // The bridge drops the Redis subscription once the HTTP client went away.
    await expect.poll(async () => (await post('/', ['PUBSUB', 'NUMSUB', channel])).body).toEqual({ result: [channel, 0] })
  })
})
