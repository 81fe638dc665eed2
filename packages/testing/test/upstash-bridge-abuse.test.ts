/**
 * What a client can do to the bridge on purpose, one abuse per describe: each gets the answer
 * `@upstash/redis` understands (`{ error }` with a 4xx status), and a well-behaved client gets
 * correct answers right after. The limits are set small so the tests move kilobytes, not the
 * 64 MiB defaults. Requests carry a timeout: an abuse that hangs the bridge fails fast.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '../src/index.js'

const KIB = 1024
let server: RedisServerHandle
/** A bridge with every default. */
let bridge: UpstashBridge
/** A bridge with small limits, on the same redis-server. */
let limited: UpstashBridge

beforeAll(async () => {
  server = await startRedisServer()
  bridge = await startUpstashBridge({ redisUrl: server.url })
  limited = await startUpstashBridge({
    redisUrl: server.url,
    maxBodyBytes: 64 * KIB,
    maxReplyBytes: 64 * KIB,
    maxCommandsPerRequest: 5,
    maxSubscriptions: 2,
  })
})

afterAll(async () => {
  await limited?.stop()
  await bridge?.stop()
  await server?.stop()
})

const key = () => `abuse:${randomUUID()}`

async function post(target: UpstashBridge, path: string, body: unknown, init: RequestInit = {}) {
  const response = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(3_000),
    ...init,
  })
  return { status: response.status, body: (await response.json()) as unknown }
}

/** One HTTP request per call: auto-pipelining (on by default) would batch concurrent calls into one. */
function client(target: UpstashBridge): Redis {
  return new Redis({
    url: target.url,
    token: target.token,
    automaticDeserialization: false,
    enableAutoPipelining: false,
    enableTelemetry: false,
    retry: false,
  })
}

/**
 * Twenty concurrent requests, each with its own value, then a pipeline and a transaction: a
 * bridge whose replies went to the wrong requests, or that hangs, fails here.
 */
async function expectWellBehavedClientServed(target: UpstashBridge): Promise<void> {
  const redis = client(target)
  const keys = Array.from({ length: 20 }, () => key())
  expect(await Promise.all(keys.map((k, i) => redis.set(k, `value-${i}`)))).toEqual(keys.map(() => 'OK'))
  expect(await Promise.all(keys.map((k) => redis.get(k)))).toEqual(keys.map((_, i) => `value-${i}`))
  const [first = '', second = ''] = keys
  expect(await redis.pipeline().get(first).incr(`${first}:n`).get(second).exec()).toEqual(['value-0', 1, 'value-1'])
  expect(await redis.multi().incr(`${first}:n`).get(second).exec()).toEqual([2, 'value-1'])
}

const refusal = (name: string) => ({ status: 400, body: { error: expect.stringMatching(new RegExp(`^ERR command '${name}' is refused by the Upstash bridge: `)) } })

describe('CLIENT REPLY and other commands that take over the shared connection', () => {
  it('refuses CLIENT REPLY SKIP / OFF on every endpoint, runs nothing of the request, and keeps replies in order', async () => {
    for (const mode of ['SKIP', 'OFF', 'ON']) expect(await post(bridge, '/', ['CLIENT', 'REPLY', mode])).toEqual(refusal('CLIENT'))
    const k = key()
    expect(await post(bridge, '/pipeline', [['SET', k, 'v'], ['client', 'reply', 'skip'], ['GET', k]])).toEqual(refusal('CLIENT'))
    expect(await post(bridge, '/multi-exec', [['SET', k, 'v'], ['CLIENT', 'REPLY', 'OFF']])).toEqual(refusal('CLIENT'))
    expect((await post(bridge, '/', ['EXISTS', k])).body).toEqual({ result: 0 })
    await expect(client(bridge).exec(['CLIENT', 'REPLY', 'SKIP'])).rejects.toThrow(/'CLIENT' is refused by the Upstash bridge/)
    await expectWellBehavedClientServed(bridge)
  })

  it('refuses CLIENT KILL, SELECT, HELLO, RESET, AUTH, SUBSCRIBE, MONITOR, SYNC and blocking reads', async () => {
    const refused: [string, unknown[]][] = [
      ['CLIENT', ['CLIENT', 'KILL', 'TYPE', 'normal']],
      ['SELECT', ['SELECT', 1]],
      ['HELLO', ['HELLO', 3]],
      ['RESET', ['RESET']],
      ['AUTH', ['AUTH', 'x']],
      ['SUBSCRIBE', ['SUBSCRIBE', 'c']],
      ['MONITOR', ['MONITOR']],
      ['SYNC', ['SYNC']],
      ['BLPOP', ['BLPOP', key(), 0]],
      ['XREAD', ['XREAD', 'COUNT', 1, 'block', 0, 'STREAMS', key(), '$']],
      ['XREADGROUP', ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', key(), '>']],
    ]
    for (const [name, command] of refused) expect(await post(bridge, '/', command), name).toEqual(refusal(name))
    // Without BLOCK the same reads go through (a group named "block" is a name, not the option).
    const stream = key()
    expect((await post(bridge, '/', ['XADD', stream, '*', 'f', 'v'])).status).toBe(200)
    expect((await post(bridge, '/', ['XREAD', 'COUNT', 1, 'STREAMS', stream, '0'])).status).toBe(200)
    expect(await post(bridge, '/', ['XREADGROUP', 'GROUP', 'block', 'c', 'STREAMS', stream, '>'])).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^NOGROUP /) },
    })
    await expectWellBehavedClientServed(bridge)
  })
})

describe('commands that change redis-server for its other clients', () => {
  it('refuses FLUSHDB, FLUSHALL, CONFIG, DEBUG, SHUTDOWN and SWAPDB; the data stays', async () => {
    const k = key()
    await client(bridge).set(k, 'kept')
    const refused: [string, unknown[]][] = [
      ['FLUSHDB', ['FLUSHDB']],
      ['FLUSHALL', ['flushall', 'ASYNC']],
      ['CONFIG', ['CONFIG', 'SET', 'maxmemory', '1mb']],
      ['CONFIG', ['CONFIG', 'GET', 'maxmemory']],
      ['DEBUG', ['DEBUG', 'SLEEP', 0]],
      // ABORT, so the old bridge's answer would not have stopped the test's own server.
      ['SHUTDOWN', ['SHUTDOWN', 'ABORT']],
      ['SWAPDB', ['SWAPDB', 0, 1]],
    ]
    for (const [name, command] of refused) expect(await post(bridge, '/', command), name).toEqual(refusal(name))
    await expect(client(bridge).flushdb()).rejects.toThrow(/pass allowFlush: true/)
    expect(await client(bridge).get(k)).toBe('kept')
    await expectWellBehavedClientServed(bridge)
  })

  it('lets KEYS through, as Upstash does (its reply is bounded by maxReplyBytes)', async () => {
    const prefix = key()
    await client(bridge).set(`${prefix}:a`, '1')
    expect(await client(bridge).keys(`${prefix}:*`)).toEqual([`${prefix}:a`])
  })

  it('lets FLUSHDB through with allowFlush: true, on the bridge\'s own database only', async () => {
    const k = key()
    await client(bridge).set(k, 'db0')
    const own = await startUpstashBridge({ redis: { host: server.host, port: server.port, db: 3 }, allowFlush: true })
    try {
      await client(own).set(k, 'db3')
      expect(await client(own).flushdb()).toBe('OK')
      expect(await client(own).get(k)).toBeNull()
      expect(await client(bridge).get(k)).toBe('db0')
    } finally {
      await own.stop()
    }
  })
})

describe('replies larger than maxReplyBytes', () => {
  it('answers 400 for an MGET, a pipeline or a transaction asking many times for a big key, and keeps serving', async () => {
    const big = key()
    const value = 'x'.repeat(20 * KIB)
    await client(limited).set(big, value)
    const tooLarge = { status: 400, body: { error: expect.stringMatching(/^ERR max response size exceeded: .*maxReplyBytes \(65536\)/) } }
    expect(await post(limited, '/', ['MGET', ...Array.from({ length: 200 }, () => big)])).toEqual(tooLarge)
    expect(await post(limited, '/pipeline', Array.from({ length: 5 }, () => ['GET', big]))).toEqual(tooLarge)
    expect(await post(limited, '/multi-exec', Array.from({ length: 5 }, () => ['GET', big]))).toEqual(tooLarge)
    await expect(client(limited).mget(big, big, big, big)).rejects.toThrow(/max response size exceeded/)
    // Under the limit, the same key reads whole.
    expect(await client(limited).get(big)).toBe(value)
    await expectWellBehavedClientServed(limited)
  })

  it('does not fail the requests queued behind the one it refuses', async () => {
    const big = key()
    await client(limited).set(big, 'x'.repeat(20 * KIB))
    const keys = Array.from({ length: 10 }, () => key())
    await Promise.all(keys.map((k, i) => client(limited).set(k, `v${i}`)))
    const [abusive, ...reads] = await Promise.all([
      post(limited, '/', ['MGET', ...Array.from({ length: 50 }, () => big)]),
      ...keys.map((k) => post(limited, '/', ['GET', k])),
    ])
    expect(abusive?.status).toBe(400)
    expect(reads).toEqual(keys.map((_, i) => ({ status: 200, body: { result: `v${i}` } })))
  })
})

describe('request bodies larger than maxBodyBytes', () => {
  it('answers 413 { error } instead of resetting the connection, with or without Content-Length', async () => {
    const k = key()
    const tooLarge = { status: 413, body: { error: expect.stringMatching(/^ERR max request size exceeded: .*maxBodyBytes is 65536/) } }
    expect(await post(limited, '/', ['SET', k, 'x'.repeat(100 * KIB)])).toEqual(tooLarge)
    const chunk = new TextEncoder().encode(JSON.stringify(['SET', k, 'x'.repeat(10 * KIB)]))
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        // No Content-Length: the bridge finds out while reading.
        for (let i = 0; i < 20; i++) controller.enqueue(chunk)
        controller.close()
      },
    })
    expect(await post(limited, '/pipeline', undefined, { body: streamed, duplex: 'half' } as RequestInit)).toEqual(tooLarge)
    await expect(client(limited).set(k, 'x'.repeat(100 * KIB))).rejects.toThrow(/max request size exceeded/)
    expect(await client(limited).exists(k)).toBe(0)
    await expectWellBehavedClientServed(limited)
  })
})

describe('more than maxCommandsPerRequest commands', () => {
  it('answers 413 for a pipeline or a transaction over the limit before running any of it', async () => {
    const k = key()
    const six = Array.from({ length: 6 }, () => ['INCR', k])
    const tooMany = { status: 413, body: { error: "ERR the request has 6 commands, more than the bridge's maxCommandsPerRequest (5)" } }
    expect(await post(limited, '/pipeline', six)).toEqual(tooMany)
    expect(await post(limited, '/multi-exec', six)).toEqual(tooMany)
    const pipeline = client(limited).pipeline()
    for (let i = 0; i < 6; i++) pipeline.incr(k)
    await expect(pipeline.exec()).rejects.toThrow(/maxCommandsPerRequest/)
    expect(await client(limited).exists(k)).toBe(0)
    expect((await post(limited, '/pipeline', six.slice(1))).body).toEqual([1, 2, 3, 4, 5].map((n) => ({ result: n })))
    await expectWellBehavedClientServed(limited)
  })

  it('counts commands, not the commas, brackets and quotes inside their arguments', async () => {
    const k = key()
    const tricky = ['a,b', '],[', '"],["', '\\', '{"x":[1,2]},']
    const five = tricky.map((value, i) => ['SET', `${k}:${i}`, value])
    expect((await post(limited, '/pipeline', five)).body).toEqual(tricky.map(() => ({ result: 'OK' })))
    expect(await client(limited).mget(...tricky.map((_, i) => `${k}:${i}`))).toEqual(tricky)
  })
})

/** An SSE stream opened with fetch, read up to a needle. */
async function openStream(target: UpstashBridge, channel: string) {
  const abort = new AbortController()
  const response = await fetch(`${target.url}/subscribe/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, Accept: 'text/event-stream' },
    signal: abort.signal,
  })
  let text = ''
  const reader = response.body?.getReader()
  const decoder = new TextDecoder()
  const readUntil = async (needle: string): Promise<string> => {
    while (!text.includes(needle)) {
      const chunk = await reader?.read()
      if (chunk === undefined || chunk.done) throw new Error(`the stream ended before ${needle}`)
      text += decoder.decode(chunk.value, { stream: true })
    }
    return text
  }
  /** Reads to the end of the stream; true once it ended. */
  const ended = async (): Promise<boolean> => {
    for (;;) {
      const chunk = await reader?.read()
      if (chunk === undefined || chunk.done) return true
    }
  }
  return { response, readUntil, ended, abort: () => abort.abort() }
}

describe('more than maxSubscriptions streams', () => {
  it('answers 429 { error } past the limit, serves the open streams, and frees a slot when one ends', async () => {
    const channel = `ch:${randomUUID()}`
    const first = await openStream(limited, channel)
    const second = await openStream(limited, channel)
    await first.readUntil('\n\n')
    await second.readUntil('\n\n')
    const tooMany = { status: 429, body: { error: "ERR too many subscriptions: the bridge's maxSubscriptions (2) are open; end one first" } }
    expect(await post(limited, `/subscribe/${channel}`, undefined)).toEqual(tooMany)
    const errors: unknown[] = []
    const subscriber = client(limited).subscribe(channel)
    subscriber.on('error', (error) => errors.push(error))
    await expect.poll(() => errors).toEqual([expect.objectContaining({ message: expect.stringContaining('maxSubscriptions (2)') })])
    await subscriber.unsubscribe()

    // The open streams still get their messages.
    expect(await client(limited).publish(channel, 'hello')).toBe(2)
    expect(await first.readUntil('hello')).toContain(`data: message,${channel},hello\n\n`)
    second.abort()
    // The bridge notices the client left, ends its Redis subscription and frees the slot.
    await expect.poll(async () => (await post(limited, '/', ['PUBSUB', 'NUMSUB', channel])).body).toEqual({ result: [channel, 1] })
    const third = await openStream(limited, channel)
    expect(await third.readUntil('\n\n')).toBe(`data: subscribe,${channel},1\n\n`)
    first.abort()
    third.abort()
    await expectWellBehavedClientServed(limited)
  })
})

/** Client sockets connected to a loopback port, from the kernel's table (the launchers are Linux-only). */
function establishedConnectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
  // Columns: sl, local address, remote address, state (01 = ESTABLISHED).
  return rows.filter((row) => {
    const [, , remote, state] = row.trim().split(/\s+/)
    return remote?.endsWith(`:${hexPort}`) === true && state === '01'
  }).length
}

describe('stop()', () => {
  // The repo's one tsx install, as outside-vitest.test.ts uses it.
  const tsxLoader = fileURLToPath(new URL('../../../examples/quickstart/node_modules/tsx/dist/esm/index.mjs', import.meta.url))
  const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
  // A process that stops the bridge on SIGTERM and does nothing else: it exits only if nothing
  // of the bridge keeps its event loop alive.
  const childScript = `
    const { startUpstashBridge } = await import(${JSON.stringify(entry)})
    const bridge = await startUpstashBridge({ redisUrl: process.env.BRIDGE_REDIS_URL })
    process.once('SIGTERM', () => void bridge.stop().then(() => console.log('stopped')))
    console.log(JSON.stringify({ url: bridge.url, token: bridge.token }))
  `

  it('closes SSE streams, keep-alive and in-flight connections, and connections still opening: a process stopping it on SIGTERM exits', async () => {
    // A password makes every new Redis connection wait for AUTH's answer, which a frozen
    // redis-server never sends: the connections the bridge opens during the freeze stay opening.
    const guarded = await startRedisServer({ args: ['--requirepass', 'secret'] })
    const child = spawn(process.execPath, ['--conditions=@cachette/source', '--import', tsxLoader, '--input-type=module', '--eval', childScript], {
      env: { ...process.env, BRIDGE_REDIS_URL: `redis://:secret@127.0.0.1:${guarded.port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const agent = new Agent({ keepAlive: true })
    try {
      const started = await new Promise<UpstashBridge>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          const line = stdout.split('\n').find((l) => l.startsWith('{'))
          if (line !== undefined) resolve(JSON.parse(line) as UpstashBridge)
        })
        void exited.then(() => reject(new Error(`the child exited early: ${stderr}`)))
      })
      const stream = await openStream(started, 'stop-test')
      await stream.readUntil('\n\n')
      // A keep-alive client whose connection stays open, idle, after its answer.
      let keepAliveSocket: Socket | undefined
      const answer = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${started.url}/`, { method: 'POST', agent, headers: { authorization: `Bearer ${started.token}` } }, (res) => {
          let text = ''
          res.on('data', (chunk: Buffer) => (text += chunk.toString()))
          res.on('end', () => resolve(text))
        })
        req.on('socket', (socket) => (keepAliveSocket = socket))
        req.on('error', reject)
        req.end('["PING"]')
      })
      expect(answer).toBe('{"result":"PONG"}')
      const keepAliveClosed = new Promise<void>((resolve) => keepAliveSocket?.once('close', () => resolve()))

      guarded.freeze()
      const inFlight = post(started, '/', ['PING']).catch((error: unknown) => error)
      const opening = fetch(`${started.url}/subscribe/opening`, { method: 'POST', headers: { authorization: `Bearer ${started.token}` } })
        .then((response) => response.status)
        .catch((error: unknown) => error)
      // The stream's connection is being opened once a third client socket reaches the server
      // (the shared one and the first stream's are the other two).
      await expect.poll(() => establishedConnectionsTo(guarded.port)).toBe(3)

      child.kill('SIGTERM')
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 5 s'), 5_000))])
      expect(code, stderr).toBe(0)
      expect(stdout).toContain('stopped')
      expect(await stream.ended()).toBe(true)
      await keepAliveClosed
      expect(await inFlight).toBeInstanceOf(Error)
      expect(await opening).not.toBe(200)
    } finally {
      guarded.thaw()
      agent.destroy()
      if (child.exitCode === null) child.kill('SIGKILL')
      await guarded.stop()
    }
  })

  it('answers a second call with the first call\'s promise', async () => {
    const own = await startUpstashBridge({ redisUrl: server.url })
    await post(own, '/', ['PING'])
    const first = own.stop()
    expect(own.stop()).toBe(first)
    await first
    await expect(fetch(`${own.url}/`, { method: 'POST' })).rejects.toThrow()
  })
})
