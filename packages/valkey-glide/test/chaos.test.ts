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
import { GlideClusterClient } from '@valkey/valkey-glide'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { glideDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * The chaos suite on GLIDE: sustained getOrSet traffic through each fault, standalone and
 * Cluster. Every fault must leave callers with 0 failed requests (the loader can always answer),
 * no call far past the deadline, a recovery after the heal, and no stale entry surviving an
 * invalidation made during the fault. The figures go to .tmp/chaos/valkey-glide.json for
 * `node packages/testing/scripts/chaos-table.mjs`.
 */

const DEADLINE_MS = 200
/** Timers and scheduling on a loaded 2-core machine; a hang would take seconds, not this. */
const MARGIN_MS = 800
const REPORT_DIR = fileURLToPath(new URL('../../../.tmp/chaos/', import.meta.url))
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

afterAll(() => writeChaosResults(REPORT_DIR, 'valkey-glide', results))

describe('chaos: valkey-glide standalone', () => {
  let server: RedisServerHandle
  let proxy: ChaosProxy
  let direct: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    proxy = await startChaosProxy({ target: { host: server.host, port: server.port } })
    direct = glideDriver({ addresses: [{ host: server.host, port: server.port }] })
  })
  afterAll(async () => {
    await direct?.close()
    await proxy?.stop()
    await server?.stop()
  })

  async function scenario(fault: string, inject: () => unknown, heal: () => unknown): Promise<void> {
    const driver = glideDriver({ addresses: [{ host: '127.0.0.1', port: proxy.port }], deadlineMs: DEADLINE_MS })
    const prefix = randomPrefix('chaos')
    const cache = resilientCache(driver, prefix)
    try {
      expectResilient(
        await runChaosScenario({
          store: 'valkey-glide standalone',
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
  it('connections refused', () =>
    scenario(
      'connections refused',
      async () => {
        await proxy.refuse()
        proxy.reset()
      },
      () => proxy.heal(),
    ))
})

describe('chaos: valkey-glide Cluster (3 masters, each behind its own proxy)', () => {
  let cluster: RedisClusterHandle
  let proxies: ChaosProxy[]
  let direct: Driver
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, nodeTimeoutMs: 1_000 })
    proxies = await Promise.all(cluster.masters.map((node) => startChaosProxy({ target: { host: node.host, port: node.port } })))
    direct = glideDriver({ addresses: cluster.nodes.map((node) => ({ host: node.host, port: node.port })), clusterMode: true })
  })
  afterAll(async () => {
    await direct?.close()
    await Promise.all((proxies ?? []).map((proxy) => proxy.stop()))
    await cluster?.stop()
  })

  async function scenario(fault: string, inject: () => unknown, heal: () => unknown): Promise<void> {
    // The nodes announce their real ports; GLIDE's addressResolver sends the client to the
    // proxies instead. The driver has no such option, so the test hands it a client of its own.
    const proxyOf = new Map(cluster.masters.map((node, i) => [node.port, (proxies[i] as ChaosProxy).port]))
    const client = await GlideClusterClient.createClient({
      addresses: proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.port })),
      requestTimeout: DEADLINE_MS,
      lazyConnect: true,
      addressResolver: (host, port) => [host, proxyOf.get(port) ?? port],
    })
    const driver = glideDriver({ client, deadlineMs: DEADLINE_MS })
    const prefix = randomPrefix('chaos')
    const cache = resilientCache(driver, prefix)
    try {
      expectResilient(
        await runChaosScenario({
          store: 'valkey-glide Cluster',
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
      client.close()
    }
  }

  const master = () => cluster.masters[0] as RedisClusterHandle['masters'][number]
  it('a master killed, restarted', () => scenario('store killed', () => master().kill('SIGKILL'), () => master().restart()))
  it('a master frozen, thawed', () => scenario('store frozen', () => master().freeze(), () => master().thaw()))
  it('partition of every master', () =>
    scenario(
      'partition',
      () => proxies.forEach((proxy) => proxy.partition()),
      () => Promise.all(proxies.map((proxy) => proxy.heal())),
    ))
  it('latency spike on every master', () =>
    scenario(
      'latency spike',
      () => proxies.forEach((proxy) => proxy.setLatency(300, 100)),
      () => proxies.forEach((proxy) => proxy.setLatency(0, 0)),
    ))
  it('connection resets every 100 ms', () => {
    const storm = resetStorm(proxies)
    return scenario('connection resets', storm.inject, storm.heal)
  })
})
