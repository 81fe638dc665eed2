import { fileURLToPath } from 'node:url'
import { createCache, type Cache, type Driver } from '@cachette/core'
import {
  runChaosScenario,
  startChaosProxy,
  startRedisCluster,
  startRedisServer,
  writeChaosResults,
  type ChaosProxy,
  type ChaosResult,
  type RedisClusterHandle,
  type RedisServerHandle,
} from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * The chaos suite on node-redis (`@cachette/redis`): sustained getOrSet traffic through each fault, standalone and
 * Cluster. Every fault must leave callers with 0 failed requests (the loader can always answer),
 * no call far past the deadline, a recovery after the heal, and no stale entry surviving an
 * invalidation made during the fault. The figures go to .tmp/chaos/ for
 * `node packages/testing/scripts/chaos-table.mjs`; docs/resilience.md has the table.
 */

const DEADLINE_MS = 200
/** Timers and scheduling on a loaded 2-core machine; a hang would take seconds, not this. */
const MARGIN_MS = 800
const REPORT_DIR = fileURLToPath(new URL('../../../.tmp/chaos/', import.meta.url))
/** The rows of this driver in .tmp/chaos/redis.json. */
const CLIENT = 'redis'
const STORE = 'node-redis'
const quiet = { warn: () => undefined }
const results: ChaosResult[] = []

function resilientCache(driver: Driver, prefix: string): Cache {
  return createCache({
    driver,
    prefix,
    deadlineMs: DEADLINE_MS,
    env: false,
    logger: quiet,
    circuitBreaker: { failureThreshold: 5, window: '2s', openDuration: '250ms' },
    invalidationQueue: { retryInterval: '100ms' },
  })
}

function expectResilient(result: ChaosResult): void {
  results.push(result)
  expect(result.failed).toBe(0)
  expect(result.calls).toBeGreaterThan(100)
  expect(result.p99FaultMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
  expect(result.recoveryMs).not.toBeNull()
  expect(result.invalidationApplied).toBe(true)
}

/** Resets every connection through the proxy every 100 ms while the fault lasts. */
function resetStorm(proxies: readonly ChaosProxy[]) {
  let timer: ReturnType<typeof setInterval> | undefined
  return {
    inject: () => {
      timer = setInterval(() => proxies.forEach((proxy) => proxy.reset()), 100)
    },
    heal: () => clearInterval(timer),
  }
}

afterAll(() => writeChaosResults(REPORT_DIR, CLIENT, results))

describe('chaos: node-redis standalone', () => {
  let server: RedisServerHandle
  let proxy: ChaosProxy
  let direct: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    proxy = await startChaosProxy({ target: { host: server.host, port: server.port } })
    direct = redisDriver({ url: server.url })
  })
  afterAll(async () => {
    await direct?.close()
    await proxy?.stop()
    await server?.stop()
  })

  async function scenario(fault: string, inject: () => unknown, heal: () => unknown): Promise<void> {
    const driver = redisDriver({ url: `redis://127.0.0.1:${proxy.port}`, deadlineMs: DEADLINE_MS })
    const prefix = randomPrefix('chaos')
    const cache = resilientCache(driver, prefix)
    try {
      expectResilient(
        await runChaosScenario({
          store: `${STORE} standalone`,
          fault,
          cache,
          deadlineMs: DEADLINE_MS,
          inject,
          heal,
          readStore: (key) => direct.get(`${prefix}:${key}`),
        }),
      )
    } finally {
      await cache.close()
      await driver.close()
    }
  }

  it('store killed (SIGKILL), restarted', () => scenario('store killed', () => server.kill('SIGKILL'), () => server.restart()))
  it('store frozen (SIGSTOP), thawed', () => scenario('store frozen', () => server.freeze(), () => server.thaw()))
  it('network partition (traffic held), healed', () => scenario('partition', () => proxy.partition(), () => proxy.heal()))
  it('latency spike (300 ms ± 100 ms)', () => scenario('latency spike', () => proxy.setLatency(300, 100), () => proxy.setLatency(0, 0)))
  it('connection resets every 100 ms', () => {
    const storm = resetStorm([proxy])
    return scenario('connection resets', storm.inject, storm.heal)
  })
  it('connections refused', () => scenario('connections refused', async () => {
    await proxy.refuse()
    proxy.reset()
  }, () => proxy.heal()))
})

describe('chaos: node-redis Cluster (3 masters, each behind its own proxy)', () => {
  let cluster: RedisClusterHandle
  let proxies: ChaosProxy[]
  let direct: Driver
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, nodeTimeoutMs: 1_000 })
    proxies = await Promise.all(cluster.masters.map((node) => startChaosProxy({ target: { host: node.host, port: node.port } })))
    direct = redisDriver({ cluster: cluster.nodes })
  })
  afterAll(async () => {
    await direct?.close()
    await Promise.all((proxies ?? []).map((proxy) => proxy.stop()))
    await cluster?.stop()
  })

  async function scenario(fault: string, inject: () => unknown, heal: () => unknown): Promise<void> {
    // The nodes announce their real ports; nodeAddressMap sends the client to the proxies instead.
    const nodeAddressMap = Object.fromEntries(cluster.masters.map((node, i) => [`${node.host}:${node.port}`, { host: '127.0.0.1', port: (proxies[i] as ChaosProxy).port }]))
    const driver = redisDriver({
      cluster: proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.port })),
      clusterOptions: { nodeAddressMap },
      deadlineMs: DEADLINE_MS,
    })
    const prefix = randomPrefix('chaos')
    const cache = resilientCache(driver, prefix)
    try {
      expectResilient(
        await runChaosScenario({
          store: `${STORE} Cluster`,
          fault,
          cache,
          deadlineMs: DEADLINE_MS,
          inject,
          heal,
          readStore: (key) => direct.get(`${prefix}:${key}`),
        }),
      )
    } finally {
      await cache.close()
      await driver.close()
    }
  }

  const master = () => cluster.masters[0] as RedisClusterHandle['masters'][number]
  it('a master killed, restarted', () => scenario('store killed', () => master().kill('SIGKILL'), () => master().restart()))
  it('a master frozen, thawed', () => scenario('store frozen', () => master().freeze(), () => master().thaw()))
  it('partition of every master', () => scenario('partition', () => proxies.forEach((proxy) => proxy.partition()), () => Promise.all(proxies.map((proxy) => proxy.heal()))))
  it('latency spike on every master', () =>
    scenario('latency spike', () => proxies.forEach((proxy) => proxy.setLatency(300, 100)), () => proxies.forEach((proxy) => proxy.setLatency(0, 0))))
  it('connection resets every 100 ms', () => {
    const storm = resetStorm(proxies)
    return scenario('connection resets', storm.inject, storm.heal)
  })
})

describe('chaos: the source fails while the store is fine (grace)', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  it('callers keep receiving the last good value, and loader calls stay bounded by the back-off', async () => {
    const driver = redisDriver({ url: server.url, deadlineMs: DEADLINE_MS })
    const cache = createCache({ driver, prefix: randomPrefix('grace'), ttl: 200, grace: '1h', graceBackoff: '500ms', deadlineMs: DEADLINE_MS, env: false, logger: quiet })
    const keys = 20
    const faultMs = 2_000
    try {
      for (let id = 0; id < keys; id++) await cache.getOrSet(`k:${id}`, () => `good:${id}`)
      await new Promise((resolve) => setTimeout(resolve, 250)) // every entry is now stale, within its grace
      let sourceCalls = 0
      const failingSource = async () => {
        sourceCalls++
        throw new Error('database unavailable')
      }
      let calls = 0
      let wrong = 0
      const until = performance.now() + faultMs
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < until) {
            const id = Math.floor(Math.random() * keys)
            const value = await cache.getOrSet(`k:${id}`, failingSource).catch(() => 'rejected')
            calls++
            if (value !== `good:${id}`) wrong++
            await new Promise((resolve) => setTimeout(resolve, 5))
          }
        }),
      )
      expect(wrong).toBe(0)
      expect(calls).toBeGreaterThan(300)
      // Per key: the first attempt, then one per back-off elapsed (2000 / 500), whatever the traffic.
      expect(sourceCalls).toBeLessThanOrEqual(keys * (faultMs / 500 + 1))
      expect(sourceCalls).toBeLessThan(calls / 4)
      // Counted per flight: callers that joined a flight in progress shared its stale answer.
      expect(cache.stats().staleHits).toBeGreaterThan(calls / 2)
    } finally {
      await cache.close()
      await driver.close()
    }
  })
})
