import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisDriver, type RedisDriver } from '../src/index.js'
import { adminClient, killClients } from './support/kill-connections.js'
import { eventually, randomPrefix, sleep } from './support/traffic.js'

/**
 * Server-assisted client-side caching against a real redis-server: keys changed by another
 * client (a raw node-redis connection that is not the driver) are reported to the listener,
 * FLUSHALL reports null, and a killed tracking connection is told (false, then true once
 * tracking is on again, and reports flow again after).
 */

let server: RedisServerHandle
let other: Awaited<ReturnType<typeof adminClient>>
const drivers: RedisDriver[] = []

beforeAll(async () => {
  server = await startRedisServer()
  other = await adminClient(server)
})
afterAll(async () => {
  await Promise.all(drivers.map((driver) => driver.close()))
  other?.destroy()
  await server?.stop()
})

function newDriver(): RedisDriver {
  const driver = redisDriver({ url: server.url })
  drivers.push(driver)
  return driver
}

/** Every report the listener got, and when. */
function recorder() {
  const reports: { keys: readonly string[] | null; at: number }[] = []
  const changes: { connected: boolean; at: number }[] = []
  return {
    reports,
    changes,
    listener: (keys: readonly string[] | null) => reports.push({ keys, at: performance.now() }),
    onConnectionChange: (connected: boolean) => changes.push({ connected, at: performance.now() }),
    reported: (key: string) => reports.some((report) => report.keys?.includes(key) === true),
  }
}

/** The ids of the connections CLIENT LIST shows with `flag` among their flags. */
async function clientIds(flag: string): Promise<string[]> {
  const list = String(await other.sendCommand(['CLIENT', 'LIST']))
  return list
    .split('\n')
    .filter((line) => new RegExp(`flags=\\S*${flag}`).test(line))
    .map((line) => /id=(\d+)/.exec(line)?.[1] as string)
}

describe('trackInvalidations, default mode', () => {
  it('reports a key the driver read once another client changes it, not its own writes (NOLOOP), nor keys it never read', async () => {
    const driver = newDriver()
    const prefix = randomPrefix('track')
    const record = recorder()
    const stop = await driver.trackInvalidations(record.listener)
    try {
      const delays: number[] = []
      for (let i = 0; i < 20; i++) {
        const key = `${prefix}:read:${i}`
        await other.sendCommand(['SET', key, 'v1'])
        expect(await driver.get(key)).toBe('v1')
        const changedAt = performance.now()
        await other.sendCommand(['SET', key, 'v2'])
        expect(await eventually(async () => record.reported(key), 2000)).toBe(true)
        const report = record.reports.find((entry) => entry.keys?.includes(key) === true)
        delays.push((report?.at ?? changedAt) - changedAt)
      }
      delays.sort((a, b) => a - b)
      console.log(
        `[tracking] change by another client -> listener on loopback: median ${delays[10]?.toFixed(2)} ms, p95 ${delays[18]?.toFixed(2)} ms, max ${delays[19]?.toFixed(2)} ms (20 changes)`,
      )

      // The driver's own write of a key it read is not reported back (NOLOOP)...
      const own = `${prefix}:own`
      await driver.set(own, 'a')
      await driver.get(own)
      await driver.set(own, 'b')
      // ...and a key it never read is not reported in default mode.
      const unread = `${prefix}:unread`
      await other.sendCommand(['SET', unread, 'x'])
      // A later report proves the earlier ones had their chance to arrive.
      const marker = `${prefix}:marker`
      await other.sendCommand(['SET', marker, '1'])
      await driver.get(marker)
      await other.sendCommand(['SET', marker, '2'])
      expect(await eventually(async () => record.reported(marker), 2000)).toBe(true)
      expect(record.reported(own)).toBe(false)
      expect(record.reported(unread)).toBe(false)
      expect(record.changes).toEqual([])
    } finally {
      await stop()
    }
  })

  it('stops reporting after the unsubscribe resolves, and turns tracking off on the connection', async () => {
    const driver = newDriver()
    const prefix = randomPrefix('track-stop')
    const record = recorder()
    const stop = await driver.trackInvalidations(record.listener)
    expect((await clientIds('t')).length).toBeGreaterThan(0)
    await stop()
    const key = `${prefix}:k`
    await other.sendCommand(['SET', key, '1'])
    await driver.get(key)
    await other.sendCommand(['SET', key, '2'])
    await sleep(100)
    expect(record.reports).toEqual([])
    expect(await clientIds('t')).toEqual([])
  })
})

describe('trackInvalidations, broadcast mode', () => {
  it('reports every change under a prefix, of keys never read, and nothing outside it', async () => {
    const driver = newDriver()
    const prefix = randomPrefix('bcast')
    const record = recorder()
    const stop = await driver.trackInvalidations(record.listener, { prefixes: [`${prefix}:`] })
    try {
      const inside = `${prefix}:never-read`
      const outside = `${randomPrefix('elsewhere')}:k`
      await other.sendCommand(['SET', outside, '1'])
      await other.sendCommand(['SET', inside, '1'])
      expect(await eventually(async () => record.reported(inside), 2000)).toBe(true)
      await other.sendCommand(['DEL', inside])
      expect(await eventually(async () => record.reports.filter((report) => report.keys?.includes(inside)).length >= 2, 2000)).toBe(true)
      expect(record.reported(outside)).toBe(false)
    } finally {
      await stop()
    }
  })
})

describe('trackInvalidations, connection loss', () => {
  async function lossScenario(kill: () => Promise<void>) {
    const driver = newDriver()
    const prefix = randomPrefix('loss')
    const record = recorder()
    const stop = await driver.trackInvalidations(record.listener, { onConnectionChange: record.onConnectionChange })
    try {
      const key = `${prefix}:k`
      await other.sendCommand(['SET', key, 'v1'])
      await driver.get(key)
      await kill()
      expect(await eventually(async () => record.changes.length >= 1, 3000)).toBe(true)
      expect(record.changes[0]?.connected).toBe(false)
      // Changed while the tracked connection is down: this report may never come; the cache was
      // told (false) before the change happened.
      const changedAt = performance.now()
      await other.sendCommand(['SET', key, 'v2'])
      expect(record.changes[0]?.at ?? Infinity).toBeLessThan(changedAt)
      expect(await eventually(async () => record.changes.length >= 2, 5000)).toBe(true)
      expect(record.changes.map((change) => change.connected)).toEqual([false, true])
      // Tracking is really on again: a key read now and changed by another client is reported.
      const after = `${prefix}:after`
      await other.sendCommand(['SET', after, '1'])
      await driver.get(after)
      await other.sendCommand(['SET', after, '2'])
      expect(await eventually(async () => record.reported(after), 3000)).toBe(true)
      expect(record.changes).toHaveLength(2)
    } finally {
      await stop()
    }
  }

  it('CLIENT KILL of the connection receiving the reports: false, then true once it is subscribed and redirected to again', () =>
    lossScenario(() => killClients([server], ['TYPE', 'pubsub'])))

  it('CLIENT KILL of the tracked command connection: false, then true once tracking is on again', () =>
    lossScenario(async () => {
      const ids = await clientIds('t')
      expect(ids).toHaveLength(1)
      await other.sendCommand(['CLIENT', 'KILL', 'ID', ids[0] as string])
    }))
})

describe('trackInvalidations, flush', () => {
  it('FLUSHALL by another client reports null', async () => {
    const driver = newDriver()
    const record = recorder()
    const stop = await driver.trackInvalidations(record.listener)
    try {
      const key = `${randomPrefix('flush')}:k`
      await other.sendCommand(['SET', key, '1'])
      await driver.get(key)
      await other.sendCommand(['FLUSHALL'])
      expect(await eventually(async () => record.reports.some((report) => report.keys === null), 2000)).toBe(true)
    } finally {
      await stop()
    }
  })
})
