import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, type Cache, type Driver } from '@cachette/core'
import { startRedisCluster, startRedisSentinel, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { redisDriver } from '../src/index.js'
import { adminClient } from './support/kill-connections.js'
import { eventually, randomPrefix, runTraffic, sleep } from './support/traffic.js'

/**
 * Real failures under traffic: every getOrSet caller gets the loader's value, no call outlives
 * its deadline (plus a generous margin for a loaded 2-core CI machine; never a tight timing
 * assertion), and the driver recovers once the server is back.
 */

const DEADLINE_MS = 300
/** Slack for timers and scheduling on a busy machine; a hang would take seconds, not this. */
const MARGIN_MS = 700
const quietLogger = { warn: () => undefined }

function cacheOn(driver: Driver, prefix: string): Cache {
  return createCache({ driver, prefix, deadlineMs: DEADLINE_MS, logger: quietLogger, env: false })
}

/** getOrSet traffic over 20 keys; the loader's value is derived from the key, so any caller can check it. */
function getOrSetTraffic(cache: Cache) {
  return async (i: number) => {
    const id = i % 20
    const got = await cache.getOrSet(`patient:${id}`, async () => `loaded-${id}`)
    return { got, expected: `loaded-${id}` }
  }
}

/** Direct driver calls, each of which may fail but never past the driver's own deadline. */
function driverTraffic(driver: Driver, prefix: string) {
  return async (i: number) => {
    await driver.set(`${prefix}:d${i % 20}`, 'v', { ttlMs: 60_000 }).catch(() => false)
    return { got: true, expected: true }
  }
}

describe('standalone redis-server failures', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server.stop())

  it('killed (SIGKILL) then restarted under traffic: getOrSet always answers, within the deadline, and the driver recovers', async () => {
    const driver = redisDriver({ url: server.url, deadlineMs: DEADLINE_MS })
    const cache = cacheOn(driver, randomPrefix('kill'))
    try {
      await cache.set('warm', 1)
      const cacheReport = runTraffic(getOrSetTraffic(cache), 5, async () => {
        await sleep(200)
        await server.kill('SIGKILL')
        await sleep(800)
        await server.restart()
        await sleep(200)
      })
      const driverReport = runTraffic(driverTraffic(driver, randomPrefix('kill-direct')), 5, () => sleep(1400))
      const [viaCache, direct] = await Promise.all([cacheReport, driverReport])
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.calls).toBeGreaterThan(50)
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      expect(direct.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)

      expect(await eventually(async () => (await cache.set('after', 'back')) && (await cache.get('after')) === 'back', 5000)).toBe(true)
      expect((await cache.health()).ok).toBe(true)
    } finally {
      await cache.close()
      await driver.close()
    }
  })

  it('frozen (SIGSTOP) under traffic: no call waits past its deadline, and the driver recovers after SIGCONT', async () => {
    const driver = redisDriver({ url: server.url, deadlineMs: DEADLINE_MS })
    const cache = cacheOn(driver, randomPrefix('freeze'))
    try {
      await cache.set('warm', 1)
      const [viaCache, direct] = await Promise.all([
        runTraffic(getOrSetTraffic(cache), 5, async () => {
          await sleep(200)
          server.freeze()
          await sleep(1500)
          server.thaw()
          await sleep(200)
        }),
        runTraffic(driverTraffic(driver, randomPrefix('freeze-direct')), 5, () => sleep(1900)),
      ])
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      // The driver's own deadline, without the cache's in front of it.
      expect(direct.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)

      expect(await eventually(async () => (await cache.set('after', 'back')) && (await cache.get('after')) === 'back', 5000)).toBe(true)
    } finally {
      server.thaw()
      await cache.close()
      await driver.close()
    }
  })
  it('while the server is down, calls fail at once with DRIVER_FAILURE (no wait for the deadline, no queue), and the driver recovers', async () => {
    const driver = redisDriver({ url: server.url, deadlineMs: DEADLINE_MS })
    try {
      await driver.set(`${randomPrefix('down')}:warm`, 'v')
      await server.kill('SIGKILL')
      // Once the driver saw the connection go (a first call may still be in flight then).
      expect(await eventually(async () => (await driver.get('any').then(() => 'ok', (error: { code?: string }) => error.code)) === 'DRIVER_FAILURE', 2000)).toBe(true)
      const timings: number[] = []
      const codes = new Set<string | undefined>()
      for (let i = 0; i < 200; i++) {
        const started = performance.now()
        await driver.set(`down:${i}`, 'v').catch((error: { code?: string }) => codes.add(error.code))
        timings.push(performance.now() - started)
      }
      timings.sort((a, b) => a - b)
      console.log(`[failure] calls while Redis is down: median ${timings[100]?.toFixed(3)} ms, max ${timings[199]?.toFixed(3)} ms (200 calls)`)
      expect([...codes]).toEqual(['DRIVER_FAILURE'])
      expect(timings[100]).toBeLessThan(5)
      expect(timings[199]).toBeLessThan(DEADLINE_MS / 2)
    } finally {
      await server.restart()
    }
    expect(await eventually(async () => driver.set('after-down', 'back'), 5000)).toBe(true)
    await driver.close()
  })
})

describe('Redis Cluster failover', () => {
  let cluster: RedisClusterHandle
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 })
  })
  afterAll(() => cluster.stop())

  it('a master killed and its replica promoted under traffic: getOrSet always answers within the deadline, and writes reach the new master', async () => {
    const driver = redisDriver({ cluster: cluster.nodes, deadlineMs: DEADLINE_MS })
    const cache = cacheOn(driver, randomPrefix('failover'))
    try {
      await cache.set('warm', 1)
      let promotedPort: number | undefined
      const viaCache = await runTraffic(getOrSetTraffic(cache), 5, async () => {
        await sleep(200)
        promotedPort = (await cluster.killMaster(0))?.port
        await sleep(200)
      })
      expect(promotedPort).toBe(cluster.replicas[0]?.port)
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)

      // Keys of every slot range, including the failed master's, are writable again.
      const keys = Array.from({ length: 60 }, (_, i) => `after:${i}`)
      const allWritable = await eventually(async () => {
        const results = await Promise.all(keys.map((key) => driver.set(key, 'v', { ttlMs: 60_000 })))
        return results.every(Boolean)
      }, 10_000)
      expect(allWritable).toBe(true)
      expect(await driver.exists(keys)).toBe(keys.length)
      await driver.delete(keys)
    } finally {
      await cache.close()
      await driver.close()
    }
  })
})

describe('Sentinel failover', () => {
  it('the master is demoted and a replica promoted under traffic: getOrSet always answers within the deadline, and writes reach the new master', async () => {
    const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
    const driver = redisDriver({ sentinel: { sentinels: group.sentinels, name: group.masterName }, deadlineMs: DEADLINE_MS })
    const cache = cacheOn(driver, randomPrefix('sentinel'))
    const sentinel = await adminClient({ port: group.sentinels[0]!.port })
    try {
      await cache.set('warm', 1)
      const replicaPort = group.replicas[0]!.port
      const viaCache = await runTraffic(getOrSetTraffic(cache), 5, async () => {
        await sleep(200)
        // A forced failover: the old master stays up and becomes a replica, so a client that
        // kept writing to it would get READONLY; the driver has to move to the new master.
        await sentinel.sendCommand(['SENTINEL', 'FAILOVER', group.masterName])
        const moved = await eventually(async () => {
          const address = (await sentinel.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group.masterName])) as string[]
          return Number(address[1]) === replicaPort
        }, 15_000)
        expect(moved).toBe(true)
        await sleep(200)
      })
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)

      const newMaster = await adminClient({ port: replicaPort })
      try {
        const written = await eventually(async () => {
          const key = `sentinel:after:${Math.random().toString(36).slice(2)}`
          if (!(await driver.set(key, 'v', { ttlMs: 60_000 }))) return false
          return String(await newMaster.sendCommand(['GET', key])) === 'v'
        }, 15_000)
        expect(written).toBe(true)
      } finally {
        newMaster.destroy()
      }
    } finally {
      sentinel.destroy()
      await cache.close()
      await driver.close()
      await group.stop()
    }
  })
})
