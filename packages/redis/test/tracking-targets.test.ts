import { createClient } from 'redis'
import { startRedisSentinel, startRedisServer, type RedisSentinelHandle, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisDriver, type RedisDriver, type RedisDriverClient } from '../src/index.js'
import { adminClient, killClients } from './support/kill-connections.js'
import { eventually, randomPrefix } from './support/traffic.js'

/**
 * Tracking beyond a URL: through Sentinel (the master found by the driver), and on a client
 * handed in as node-redis 6 makes it by default (RESP3), whose tracking reports still reach the
 * driver's own RESP2 connection.
 */

/** A key read through `driver`, changed by `other`, is reported; resolves the listener's reports. */
async function expectReported(driver: RedisDriver, other: Awaited<ReturnType<typeof adminClient>>, onConnectionChange?: (connected: boolean) => void) {
  const reports: (readonly string[] | null)[] = []
  const stop = await driver.trackInvalidations((keys) => reports.push(keys), { onConnectionChange })
  const key = `${randomPrefix('targets')}:k`
  await other.sendCommand(['SET', key, '1'])
  expect(await driver.get(key)).toBe('1')
  await other.sendCommand(['SET', key, '2'])
  expect(await eventually(async () => reports.some((keys) => keys?.includes(key) === true), 2000)).toBe(true)
  return { stop, reports }
}

describe('tracking through Sentinel', () => {
  let group: RedisSentinelHandle
  let other: Awaited<ReturnType<typeof adminClient>>
  beforeAll(async () => {
    group = await startRedisSentinel({ replicas: 1, sentinels: 1 })
    other = await adminClient(group.master)
  })
  afterAll(async () => {
    other?.destroy()
    await group?.stop()
  })

  it('reports a key read through the master the Sentinels named, and tells a killed subscriber connection', async () => {
    const driver = redisDriver({ sentinel: { sentinels: group.sentinels, name: group.masterName } })
    const changes: boolean[] = []
    try {
      const { stop } = await expectReported(driver, other, (connected) => changes.push(connected))
      await killClients([group.master], ['TYPE', 'pubsub'])
      expect(await eventually(async () => changes.length === 2, 5000)).toBe(true)
      expect(changes).toEqual([false, true])
      await expectReported(driver, other).then(({ stop: again }) => again())
      await stop()
    } finally {
      await driver.close()
    }
  })
})

describe('tracking through a Sentinel failover', () => {
  it('after the master moved, tracking comes back on the new master (false, then true) and its changes are reported', async () => {
    const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
    const driver = redisDriver({ sentinel: { sentinels: group.sentinels, name: group.masterName } })
    const sentinel = await adminClient(group.sentinels[0] as { port: number })
    const changes: boolean[] = []
    let newMaster: Awaited<ReturnType<typeof adminClient>> | undefined
    try {
      const reports: (readonly string[] | null)[] = []
      await driver.trackInvalidations((keys) => reports.push(keys), { onConnectionChange: (connected) => changes.push(connected) })
      const replicaPort = (group.replicas[0] as { port: number }).port
      await sentinel.sendCommand(['SENTINEL', 'FAILOVER', group.masterName])
      const moved = await eventually(async () => {
        const address = (await sentinel.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group.masterName])) as string[]
        return Number(address[1]) === replicaPort
      }, 15_000)
      expect(moved).toBe(true)
      // The driver moves on its first write refused with READONLY by the demoted master; keep
      // writing until one lands on the new master.
      const master = await adminClient({ port: replicaPort })
      newMaster = master
      const probe = `${randomPrefix('failover')}:probe`
      const followed = await eventually(async () => {
        const value = Math.random().toString(36)
        if (!(await driver.set(probe, value))) return false
        return String(await master.sendCommand(['GET', probe])) === value
      }, 15_000)
      expect(followed).toBe(true)
      expect(await eventually(async () => changes.length >= 2 && changes.at(-1) === true, 10_000)).toBe(true)
      expect(changes).toEqual([false, true])
      const key = `${randomPrefix('failover')}:k`
      await newMaster.sendCommand(['SET', key, '1'])
      expect(await driver.get(key)).toBe('1')
      await newMaster.sendCommand(['SET', key, '2'])
      expect(await eventually(async () => reports.some((keys) => keys?.includes(key) === true), 3000)).toBe(true)
    } finally {
      newMaster?.destroy()
      sentinel.destroy()
      await driver.close()
      await group.stop()
    }
  })
})

describe('tracking on a client handed in', () => {
  let server: RedisServerHandle
  let other: Awaited<ReturnType<typeof adminClient>>
  beforeAll(async () => {
    server = await startRedisServer()
    other = await adminClient(server)
  })
  afterAll(async () => {
    other?.destroy()
    await server?.stop()
  })

  it('a RESP3 client (node-redis 6 default): reports reach the driver, and close() leaves the client open', async () => {
    const client = createClient({ url: server.url }) as unknown as RedisDriverClient
    client.on('error', () => undefined)
    await client.connect()
    const driver = redisDriver({ client })
    try {
      const { stop } = await expectReported(driver, other)
      await stop()
      await driver.close()
      expect(client.isReady).toBe(true)
      expect(await client.sendCommand(['PING'])).toBe('PONG')
    } finally {
      await driver.close()
      await client.close()
    }
  })
})
