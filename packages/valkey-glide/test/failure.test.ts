import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, type Cache, type Driver } from '@cachette/core'
import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { glideDriver } from '../src/index.js'
import { eventually, randomPrefix, runTraffic, sleep } from './support/traffic.js'

/**
 * Real failures under traffic: every getOrSet caller gets the loader's value, no call outlives
 * its deadline (plus a generous margin for a loaded 2-core machine; never a tight timing
 * assertion), and the driver recovers once the server is back. The figures the README quotes are
 * printed with `[figures]`.
 */

const DEADLINE_MS = 300
/** Slack for timers and scheduling on a busy machine; a hang would take seconds, not this. */
const MARGIN_MS = 700
const quietLogger = { warn: () => undefined }

function cacheOn(driver: Driver, prefix: string): Cache {
  return createCache({ driver, prefix, deadlineMs: DEADLINE_MS, logger: quietLogger, env: false })
}

function standalone(server: RedisServerHandle, deadlineMs = DEADLINE_MS): Driver {
  return glideDriver({ addresses: [{ host: server.host, port: server.port }], deadlineMs })
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
    const driver = standalone(server)
    const cache = cacheOn(driver, randomPrefix('kill'))
    try {
      await cache.set('warm', 1)
      const [viaCache, direct] = await Promise.all([
        runTraffic(getOrSetTraffic(cache), 5, async () => {
          await sleep(200)
          await server.kill('SIGKILL')
          await sleep(800)
          await server.restart()
          await sleep(200)
        }),
        runTraffic(driverTraffic(driver, randomPrefix('kill-direct')), 5, () => sleep(1400)),
      ])
      console.info(`[figures] killed: ${viaCache.calls} getOrSet calls, slowest ${Math.round(viaCache.slowestMs)} ms; direct driver calls slowest ${Math.round(direct.slowestMs)} ms`)
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.calls).toBeGreaterThan(50)
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      expect(direct.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      const started = performance.now()
      expect(await eventually(async () => (await cache.set('after', 'back')) && (await cache.get('after')) === 'back', 5000)).toBe(true)
      console.info(`[figures] killed: recovered ${Math.round(performance.now() - started)} ms after the restart settled`)
      expect((await cache.health()).ok).toBe(true)
    } finally {
      await cache.close()
      await driver.close()
    }
  })

  it('frozen (SIGSTOP) under traffic: no call waits past its deadline, and the driver recovers after SIGCONT', async () => {
    const driver = standalone(server)
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
      console.info(`[figures] frozen: ${viaCache.calls} getOrSet calls, slowest ${Math.round(viaCache.slowestMs)} ms; direct driver calls slowest ${Math.round(direct.slowestMs)} ms`)
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      expect(direct.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      expect(await eventually(async () => (await cache.set('after', 'back')) && (await cache.get('after')) === 'back', 5000)).toBe(true)
    } finally {
      server.thaw()
      await cache.close()
      await driver.close()
    }
  })

  it('2,000 calls while the server is down all reject fast, and nothing queues for later', async () => {
    const driver = standalone(server)
    const prefix = randomPrefix('down')
    try {
      await driver.set(`${prefix}:warm`, 'v')
      await server.kill('SIGKILL')
      // GLIDE answers nothing but its own timeout while the server is gone (no connection error),
      // so the driver counts the server down after 3 calls in a row timed out.
      for (let i = 0; i < 3; i++) await driver.get(`${prefix}:warm`).catch(() => undefined)
      const started = performance.now()
      const latencies: number[] = []
      const results = await Promise.allSettled(
        Array.from({ length: 2000 }, (_, i) => driver.set(`${prefix}:k${i}`, 'v').finally(() => latencies.push(performance.now() - started))),
      )
      const elapsedMs = performance.now() - started
      latencies.sort((a, b) => a - b)
      // One call at a time goes through as a probe (it waits for GLIDE up to the deadline); the others fail at once.
      console.info(
        `[figures] down: 2000 calls settled in ${Math.round(elapsedMs)} ms, ${results.filter((r) => r.status === 'rejected').length} rejected; ` +
          `median ${latencies[1000]?.toFixed(1)} ms, 1990th ${latencies[1989]?.toFixed(1)} ms, slowest ${latencies[1999]?.toFixed(1)} ms`,
      )
      // A probe or two wait for GLIDE (the last warm-up call's own timeout may land just after the burst started).
      expect(latencies[1989]).toBeLessThan(DEADLINE_MS)
      expect(results.every((result) => result.status === 'rejected')).toBe(true)
      expect(elapsedMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      await server.restart()
      expect(await eventually(async () => (await driver.get(`${prefix}:warm`)) === null, 5000)).toBe(true)
      await sleep(500)
      // Not one of the rejected writes reached the restarted server.
      expect(await driver.exists(Array.from({ length: 2000 }, (_, i) => `${prefix}:k${i}`))).toBe(0)
    } finally {
      await driver.close()
      await server.restart().catch(() => undefined)
    }
  })

  it('a write that timed out while the server was down is not sent after it comes back', async () => {
    const driver = standalone(server)
    const key = `${randomPrefix('replay')}:k`
    try {
      await driver.ping()
      await server.kill('SIGKILL')
      const write = driver.set(key, 'late')
      const outcome = await write.then(
        () => 'written',
        (error: unknown) => (error as { code?: string }).code,
      )
      expect(outcome).not.toBe('written')
      await server.restart()
      expect(await eventually(async () => (await driver.ping().then(() => true)) === true, 5000)).toBe(true)
      await sleep(500)
      expect(await driver.get(key)).toBeNull()
    } finally {
      await driver.close()
      await server.restart().catch(() => undefined)
    }
  })

  it('a subscription is told false when the server dies, true once subscribed again after the restart', async () => {
    const driver = standalone(server)
    const channel = `${randomPrefix('bus')}:channel`
    const changes: boolean[] = []
    const received: string[] = []
    try {
      const unsubscribe = await driver.subscribe(channel, (message) => received.push(message), { onConnectionChange: (connected) => changes.push(connected) })
      const killed = performance.now()
      await server.kill('SIGKILL')
      expect(await eventually(async () => changes.length >= 1, 3000)).toBe(true)
      const toldFalseMs = performance.now() - killed
      expect(changes).toEqual([false])
      const restarting = performance.now()
      await server.restart()
      expect(await eventually(async () => changes.length >= 2, 10_000)).toBe(true)
      console.info(`[figures] pubsub: false ${Math.round(toldFalseMs)} ms after the kill, true ${Math.round(performance.now() - restarting)} ms after the restart began`)
      expect(changes).toEqual([false, true])
      expect(await eventually(async () => (await driver.publish(channel, 'back')) === 1, 5000)).toBe(true)
      expect(await eventually(async () => received.includes('back'), 3000)).toBe(true)
      await unsubscribe()
    } finally {
      await driver.close()
    }
  })
})

describe('Redis Cluster failover', () => {
  let cluster: RedisClusterHandle
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 })
  })
  afterAll(() => cluster.stop())

  it('a master killed and its replica promoted under traffic: getOrSet always answers within the deadline, and writes reach the new master', async () => {
    const driver = glideDriver({ addresses: cluster.nodes.map((node) => ({ host: node.host, port: node.port })), clusterMode: true, deadlineMs: DEADLINE_MS })
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
      console.info(`[figures] cluster failover: ${viaCache.calls} getOrSet calls, slowest ${Math.round(viaCache.slowestMs)} ms`)
      expect(viaCache.rejected).toBe(0)
      expect(viaCache.wrong).toEqual([])
      expect(viaCache.slowestMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)

      // Keys of every slot range, including the failed master's, are writable again.
      const keys = Array.from({ length: 60 }, (_, i) => `after:${i}`)
      const started = performance.now()
      const allWritable = await eventually(async () => {
        const results = await Promise.all(keys.map((key) => driver.set(key, 'v', { ttlMs: 60_000 })))
        return results.every(Boolean)
      }, 15_000)
      console.info(`[figures] cluster failover: every slot writable ${Math.round(performance.now() - started)} ms after the promotion`)
      expect(allWritable).toBe(true)
      expect(await driver.exists(keys)).toBe(keys.length)
      await driver.delete(keys)
    } finally {
      await cache.close()
      await driver.close()
    }
  })
})
