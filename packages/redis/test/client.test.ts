import { createClient, createCluster } from 'redis'
import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisDriver, type RedisDriverClient, type RedisDriverClusterClient } from '../src/index.js'
import { eventually, randomPrefix } from './support/traffic.js'

/**
 * A client handed in: the driver never closes it, and never lets its offline queue (on by
 * default in node-redis) hold the driver's calls while Redis is down.
 */

describe('a createClient() client handed in', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  it('with its offline queue on: calls fail at once while Redis is down, nothing is queued, and they work again once it is back', async () => {
    const client = createClient({ url: server.url, socket: { reconnectStrategy: 50 } }) as unknown as RedisDriverClient
    client.on('error', () => undefined)
    await client.connect()
    const driver = redisDriver({ client, deadlineMs: 300 })
    const key = `${randomPrefix('handed')}:k`
    try {
      await driver.set(key, 'before')
      await server.kill('SIGKILL')
      expect(await eventually(async () => (await driver.get(key).then(() => 'ok', (error: { code?: string }) => error.code)) === 'DRIVER_FAILURE', 2000)).toBe(true)
      const started = performance.now()
      const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => driver.set(`${key}:${i}`, 'while-down').then(() => 'ok', (error: { code?: string }) => error.code)))
      expect(performance.now() - started).toBeLessThan(100)
      expect(new Set(outcomes)).toEqual(new Set(['DRIVER_FAILURE']))
      await server.restart()
      expect(await eventually(async () => driver.set(key, 'after'), 5000)).toBe(true)
      // Nothing written while Redis was down arrived later through the client's offline queue.
      expect(await driver.exists(Array.from({ length: 100 }, (_, i) => `${key}:${i}`))).toBe(0)
    } finally {
      await driver.close()
    }
    expect(client.isOpen).toBe(true)
    expect(await client.sendCommand(['GET', key])).toBe('after')
    await client.close()
  })

  it('not connected yet: the driver connects it, its calls wait for the connection, and close() leaves it open', async () => {
    const client = createClient({ url: server.url }) as unknown as RedisDriverClient
    client.on('error', () => undefined)
    const driver = redisDriver({ client })
    await expect(driver.ping()).resolves.toBeUndefined()
    await driver.close()
    expect(client.isReady).toBe(true)
    await client.close()
  })
})

describe('a createCluster() client handed in', () => {
  let cluster: RedisClusterHandle
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
  })
  afterAll(() => cluster?.stop())

  it('works through the driver, with pattern work on every master, and close() leaves it open', async () => {
    const client = createCluster({ rootNodes: cluster.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })) }) as unknown as RedisDriverClusterClient
    client.on('error', () => undefined)
    await client.connect()
    const driver = redisDriver({ client })
    expect(driver.capabilities).toMatchObject({ tracking: true, crossSlotBatch: false })
    const prefix = randomPrefix('handed-cluster')
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:${i}`)
    await Promise.all(keys.map((key) => driver.set(key, 'v', { ttlMs: 60_000 })))
    const seen = new Set<string>()
    for await (const key of driver.scan(`${prefix}:*`)) seen.add(key)
    expect(seen.size).toBe(keys.length)
    expect(await driver.delete(keys)).toBe(keys.length)
    await driver.close()
    expect(client.isOpen).toBe(true)
    expect(await client.sendCommand(undefined, true, ['PING'])).toBe('PONG')
    await client.close()
  })
})
