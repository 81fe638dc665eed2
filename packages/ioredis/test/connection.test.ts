import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { isCacheError } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { eventually, sleep } from './support/traffic.js'

/** Connection ownership, startup, the bounded wait and error events. */
describe('ioredis driver connections', () => {
  let server: RedisServerHandle
  let probe: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    probe = new Redis(server.port, server.host)
  })
  afterAll(async () => {
    probe.disconnect()
    await server.stop()
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const clients = async () => Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))?.[1])

  it('closes what it opened, the subscriber connection included', async () => {
    const baseline = await clients()
    const driver = ioredisDriver({ url: server.url })
    const unsubscribe = await driver.subscribe('conn:channel', () => undefined)
    expect(await clients()).toBe(baseline + 2)
    await unsubscribe()
    await driver.close()
    expect(await eventually(async () => (await clients()) === baseline, 3000)).toBe(true)
    await driver.close() // idempotent
    const error = await driver.get('k').then(() => undefined, (caught: unknown) => caught)
    expect(isCacheError(error) && error.code).toBe('CLOSED')
  })

  it('leaves a handed-in client open, and closes only its own subscriber connection', async () => {
    const client = new Redis(server.port, server.host)
    await client.ping()
    const baseline = await clients()
    const driver = ioredisDriver({ client })
    await driver.set('conn:owned', 'v', { ttlMs: 60_000 })
    await driver.subscribe('conn:channel', () => undefined)
    expect(await clients()).toBe(baseline + 1)
    await driver.close()
    expect(await eventually(async () => (await clients()) === baseline, 3000)).toBe(true)
    expect(client.status).toBe('ready')
    expect(await client.get('conn:owned')).toBe('v')
    client.disconnect()
  })

  it('calls made before the connection is up wait for it', async () => {
    const driver = ioredisDriver({ url: server.url })
    // No await between creating the driver and calling it: the socket is still connecting.
    const results = await Promise.all([driver.set('conn:early', '1', { ttlMs: 60_000 }), driver.get('conn:early'), driver.ping()])
    expect(results).toEqual([true, '1', undefined])
    await driver.close()
  })

  it('bounds the calls waiting for a connection, and none waits past its deadline', async () => {
    // A frozen server accepts the TCP connection (the kernel does) but never answers the ready
    // check, so the client stays "connecting" and calls have to wait.
    const frozen = await startRedisServer()
    frozen.freeze()
    const driver = ioredisDriver({ url: frozen.url, deadlineMs: 200, maxPendingCalls: 3 })
    try {
      await sleep(50)
      const started = Date.now()
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => driver.get('k').then(() => 'resolved', (error: Error) => error.message)),
      )
      // Two were refused at once; the three that waited failed with the attempt or at their
      // deadline (whichever came first: the frozen socket is dropped after a deadline too).
      expect(outcomes.filter((message) => message.includes('3 calls already wait for a connection'))).toHaveLength(2)
      expect(outcomes.filter((message) => /did not answer within 200 ms|connection to Redis failed/.test(message))).toHaveLength(3)
      expect(Date.now() - started).toBeLessThan(200 + 800)
    } finally {
      await driver.close()
      await frozen.stop()
    }
  })

  it('listens for connection errors so none is unhandled, and reports them through onError', async () => {
    const consoleError = vi.spyOn(console, 'error')
    const reported: Error[] = []
    const down = await startRedisServer()
    await down.kill('SIGKILL')
    const driver = ioredisDriver({ url: down.url, onError: (error) => reported.push(error) })
    try {
      expect(await eventually(async () => reported.length >= 2, 3000)).toBe(true)
      expect(reported[0]?.message).toMatch(/ECONNREFUSED/)
      expect(consoleError).not.toHaveBeenCalled()
      const error = await driver.get('k').then(() => undefined, (caught: unknown) => caught)
      expect(isCacheError(error) && error.code).toBe('DRIVER_FAILURE')
    } finally {
      await driver.close()
      await down.stop()
    }
  })
})
