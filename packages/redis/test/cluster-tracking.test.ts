import { createCluster } from 'redis'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisDriver, type RedisDriverClusterClient } from '../src/index.js'
import { killClients } from './support/kill-connections.js'
import { eventually, randomPrefix } from './support/traffic.js'

/**
 * Tracking on a 3-master Redis Cluster: every master's node connection is tracked, redirected to
 * a subscriber of the driver's own on the same node. Keys spread over every master.
 */

let cluster: RedisClusterHandle
let other: RedisDriverClusterClient

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 })
  other = createCluster({ rootNodes: cluster.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })) }) as unknown as RedisDriverClusterClient
  other.on('error', () => undefined)
  await other.connect()
})
afterAll(async () => {
  await other?.close().catch(() => undefined)
  await cluster?.stop()
})

/** Keys without a hash tag, so they land on every master. */
const spreadKeys = (prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}:${i}`)
const set = (key: string, value: string) => other.sendCommand(key, false, ['SET', key, value])

describe('trackInvalidations on a Redis Cluster', () => {
  it('reports keys read on every master once another client changes them; tells a killed connection and tracks again', async () => {
    const driver = redisDriver({ cluster: cluster.nodes })
    const reports: (readonly string[] | null)[] = []
    const changes: boolean[] = []
    const reported = (key: string) => reports.some((keys) => keys?.includes(key) === true)
    try {
      expect(driver.capabilities.tracking).toBe(true)
      const stop = await driver.trackInvalidations((keys) => reports.push(keys), { onConnectionChange: (connected) => changes.push(connected) })
      const keys = spreadKeys(randomPrefix('ctrack'))
      await Promise.all(keys.map((key) => set(key, '1')))
      expect(await driver.mget(keys)).toEqual(keys.map(() => '1'))
      await Promise.all(keys.map((key) => set(key, '2')))
      expect(await eventually(async () => keys.every(reported), 3000)).toBe(true)

      for (const filter of [['TYPE', 'pubsub'], ['TYPE', 'normal']]) {
        const before = changes.length
        await killClients(cluster.nodes, filter)
        expect(await eventually(async () => changes.length >= before + 2 && changes.at(-1) === true, 10_000)).toBe(true)
        expect(changes.slice(before, before + 2)).toEqual([false, true])
        const again = spreadKeys(randomPrefix('ctrack-again'))
        await Promise.all(again.map((key) => set(key, '1')))
        expect(await eventually(async () => (await driver.mget(again)).every((value) => value === '1'), 5000)).toBe(true)
        await Promise.all(again.map((key) => set(key, '2')))
        expect(await eventually(async () => again.every(reported), 3000)).toBe(true)
      }
      await stop()
    } finally {
      await driver.close()
    }
  })

  it('broadcast mode reports keys under the prefix never read, on every master', async () => {
    const driver = redisDriver({ cluster: cluster.nodes })
    const prefix = randomPrefix('cbcast')
    const reports: (readonly string[] | null)[] = []
    try {
      const stop = await driver.trackInvalidations((keys) => reports.push(keys), { prefixes: [`${prefix}:`] })
      const keys = spreadKeys(prefix)
      await Promise.all(keys.map((key) => set(key, 'x')))
      expect(await eventually(async () => keys.every((key) => reports.some((reported) => reported?.includes(key) === true)), 3000)).toBe(true)
      await stop()
    } finally {
      await driver.close()
    }
  })
})

describe('trackInvalidations through a Cluster failover', () => {
  let failover: RedisClusterHandle
  beforeAll(async () => {
    failover = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 })
  })
  afterAll(() => failover?.stop())

  it('a master killed and its replica promoted: false, then true once the new master is tracked, and its keys are reported', async () => {
    const driver = redisDriver({ cluster: failover.nodes })
    const writer = createCluster({ rootNodes: failover.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })) }) as unknown as RedisDriverClusterClient
    writer.on('error', () => undefined)
    await writer.connect()
    const changes: boolean[] = []
    const reports: (readonly string[] | null)[] = []
    try {
      await driver.trackInvalidations((keys) => reports.push(keys), { onConnectionChange: (connected) => changes.push(connected) })
      const promoted = await failover.killMaster(0)
      expect(promoted?.port).toBe(failover.replicas[0]?.port)
      expect(await eventually(async () => changes.length >= 2 && changes.at(-1) === true, 15_000)).toBe(true)
      expect(changes[0]).toBe(false)
      // Keys of every slot range, the promoted master's included, are tracked again.
      const keys = spreadKeys(randomPrefix('cfailover'))
      expect(await eventually(async () => (await Promise.all(keys.map((key) => writer.sendCommand(key, false, ['SET', key, '1']).then(() => true, () => false)))).every(Boolean), 10_000)).toBe(true)
      expect(await eventually(async () => (await driver.mget(keys)).every((value) => value === '1'), 10_000)).toBe(true)
      await Promise.all(keys.map((key) => writer.sendCommand(key, false, ['SET', key, '2'])))
      expect(await eventually(async () => keys.every((key) => reports.some((reported) => reported?.includes(key) === true)), 5000)).toBe(true)
    } finally {
      await writer.close().catch(() => undefined)
      await driver.close()
    }
  })
})
