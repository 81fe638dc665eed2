import { Cluster, Redis } from 'ioredis'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError, type Driver } from '@cachette/core'
import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { eventually, randomPrefix } from './support/traffic.js'

/** Counts what reaches a socket's write path: one `_write` or `_writev` is one system call. */
function countWrites(socket: Socket): { writes: () => number; corks: () => number; restore: () => void } {
  const target = socket as unknown as Record<'_write' | '_writev' | 'cork', (...args: unknown[]) => unknown>
  const originals = { _write: target._write, _writev: target._writev, cork: target.cork }
  let writes = 0
  let corks = 0
  target._write = function (this: unknown, ...args: unknown[]) {
    writes++
    return originals._write?.apply(this, args)
  }
  target._writev = function (this: unknown, ...args: unknown[]) {
    writes++
    return originals._writev?.apply(this, args)
  }
  target.cork = function (this: unknown, ...args: unknown[]) {
    corks++
    return originals.cork?.apply(this, args)
  }
  return {
    writes: () => writes,
    corks: () => corks,
    restore: () => Object.assign(target, originals),
  }
}

async function connected(client: Redis): Promise<Socket> {
  await client.ping()
  return (client as unknown as { stream: Socket }).stream
}

describe('write coalescing on a redis-server', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  async function withDriver<T>(options: { coalesceWrites?: boolean }, run: (driver: Driver, client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(server.port, server.host)
    const driver = ioredisDriver({ client, ...options })
    try {
      return await run(driver, client)
    } finally {
      await driver.close()
      client.disconnect()
    }
  }

  it('sends the 100 reads of one turn in 2 writes, each read answered with its own value', async () => {
    await withDriver({}, async (driver, client) => {
      const p = randomPrefix('co')
      const keys = Array.from({ length: 100 }, (_, i) => `${p}:${i}`)
      await Promise.all(keys.map((key, i) => driver.set(key, `value-${i}`)))
      const socket = await connected(client)
      const probe = countWrites(socket)
      const values = await Promise.all(keys.map((key) => driver.get(key)))
      probe.restore()
      expect(values).toEqual(keys.map((_, i) => `value-${i}`))
      // The first read is written at once, the 99 others leave together when the turn ends.
      expect(probe.writes()).toBe(2)
      expect(socket.writableCorked).toBe(0)
    })
  })

  it('writes one command per read when turned off', async () => {
    await withDriver({ coalesceWrites: false }, async (driver, client) => {
      const p = randomPrefix('off')
      await driver.set(`${p}:k`, 'v')
      const probe = countWrites(await connected(client))
      const values = await Promise.all(Array.from({ length: 100 }, () => driver.get(`${p}:k`)))
      probe.restore()
      expect(values.every((value) => value === 'v')).toBe(true)
      expect(probe.writes()).toBe(100)
      expect(probe.corks()).toBe(0)
    })
  })

  it('never corks for a lone call per turn (sequential calls are not delayed)', async () => {
    await withDriver({}, async (driver, client) => {
      const p = randomPrefix('seq')
      const probe = countWrites(await connected(client))
      for (let i = 0; i < 20; i++) {
        await driver.set(`${p}:${i}`, String(i))
        expect(await driver.get(`${p}:${i}`)).toBe(String(i))
      }
      probe.restore()
      expect(probe.corks()).toBe(0)
      expect(probe.writes()).toBe(40)
    })
  })

  it('keeps the order of the commands of one turn', async () => {
    await withDriver({}, async (driver, client) => {
      const p = randomPrefix('order')
      await connected(client)
      const [, first, , second, removed, third] = await Promise.all([
        driver.set(`${p}:k`, 'one'),
        driver.get(`${p}:k`),
        driver.set(`${p}:k`, 'two'),
        driver.get(`${p}:k`),
        driver.delete([`${p}:k`]),
        driver.get(`${p}:k`),
      ])
      expect([first, second, removed, third]).toEqual(['one', 'two', 1, null])
    })
  })

  it('also coalesces calls issued from promise reactions of the same turn', async () => {
    await withDriver({}, async (driver, client) => {
      const p = randomPrefix('react')
      await driver.set(`${p}:k`, 'v')
      const probe = countWrites(await connected(client))
      const ready = Promise.resolve()
      const values = await Promise.all(Array.from({ length: 50 }, () => ready.then(() => driver.get(`${p}:k`))))
      probe.restore()
      expect(values.every((value) => value === 'v')).toBe(true)
      expect(probe.writes()).toBe(2)
    })
  })

  it('fails the corked calls with a typed error, within the deadline, when the socket dies in that turn; then recovers', async () => {
    const driver = ioredisDriver({ url: server.url, deadlineMs: 300 })
    try {
      const p = randomPrefix('dead')
      await driver.set(`${p}:k`, 'v')
      const socket = (driver as unknown as { client: { stream: Socket } }).client.stream
      const started = performance.now()
      const calls = Array.from({ length: 20 }, () => driver.get(`${p}:k`).then(() => 'resolved', (error: unknown) => error))
      socket.destroy()
      const outcomes = await Promise.all(calls)
      expect(performance.now() - started).toBeLessThan(1000)
      for (const outcome of outcomes) {
        expect(isCacheError(outcome) && ['DRIVER_FAILURE', 'DEADLINE_EXCEEDED'].includes(outcome.code)).toBe(true)
      }
      expect(await eventually(async () => (await driver.get(`${p}:k`).catch(() => null)) === 'v', 5000)).toBe(true)
    } finally {
      await driver.close()
    }
  })

  it('flushes what is corked when the driver closes in the same turn', async () => {
    const p = randomPrefix('close')
    const probe = new Redis(server.port, server.host)
    try {
      const driver = ioredisDriver({ url: server.url })
      await driver.set(`${p}:seed`, 'x')
      const writes = Array.from({ length: 10 }, (_, i) => driver.set(`${p}:${i}`, String(i)))
      const closing = driver.close()
      const outcomes = await Promise.all(writes.map((write) => write.then(() => 'ok', (error: unknown) => (isCacheError(error) ? error.code : 'untyped'))))
      await closing
      // Every write reached Redis before the connection was closed: none was left in the cork buffer.
      expect(outcomes).toEqual(Array.from({ length: 10 }, () => 'ok'))
      expect(await probe.mget(Array.from({ length: 10 }, (_, i) => `${p}:${i}`))).toEqual(Array.from({ length: 10 }, (_, i) => String(i)))
    } finally {
      probe.disconnect()
    }
  })
})

describe('write coalescing on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let client: Cluster
  let driver: Driver
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    client = new Cluster(cluster.nodes.map((node) => ({ host: node.host, port: node.port })))
    driver = ioredisDriver({ client })
  })
  afterAll(async () => {
    await driver.close()
    client.disconnect()
    await cluster.stop()
  })

  it('answers 300 reads spread over every master with their own values, in at most 2 writes per master', async () => {
    const p = randomPrefix('cluster')
    const keys = Array.from({ length: 300 }, (_, i) => `${p}:${i}`)
    await Promise.all(keys.map((key, i) => driver.set(key, `value-${i}`)))
    const masters = client.nodes('master')
    expect(masters).toHaveLength(3)
    const probes = masters.map((master) => countWrites((master as unknown as { stream: Socket }).stream))
    const values = await Promise.all(keys.map((key) => driver.get(key)))
    for (const probe of probes) probe.restore()
    expect(values).toEqual(keys.map((_, i) => `value-${i}`))
    for (const probe of probes) {
      expect(probe.writes()).toBeGreaterThanOrEqual(1)
      expect(probe.writes()).toBeLessThanOrEqual(2)
    }
  })
})
