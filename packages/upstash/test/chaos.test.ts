import { fileURLToPath } from 'node:url'
import { createCache, type Driver } from '@cachette/core'
import {
  runChaosScenario,
  startChaosProxy,
  startRedisServer,
  startUpstashBridge,
  writeChaosResults,
  type ChaosProxy,
  type ChaosResult,
  type RedisServerHandle,
  type UpstashBridge,
} from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upstashDriver } from '../src/index.js'

/**
 * The chaos suite on Upstash REST: the real @upstash/redis client, over real HTTP, through a TCP
 * chaos proxy, to the Upstash bridge in front of a real redis-server. Faults hit the store behind
 * the bridge (killed, frozen) or the HTTP path (partition, latency, resets). Same expectations
 * as the ioredis suite; figures go to .tmp/chaos/upstash.json.
 */

const DEADLINE_MS = 200
const MARGIN_MS = 800
const REPORT_DIR = fileURLToPath(new URL('../../../.tmp/chaos/', import.meta.url))
const quiet = { warn: () => undefined }
const results: ChaosResult[] = []

describe('chaos: Upstash REST (through the bridge)', () => {
  let redis: RedisServerHandle
  let bridge: UpstashBridge
  let proxy: ChaosProxy
  let direct: Driver
  beforeAll(async () => {
    redis = await startRedisServer()
    bridge = await startUpstashBridge({ redisUrl: redis.url })
    const bridgePort = Number(new URL(bridge.url).port)
    proxy = await startChaosProxy({ target: { host: '127.0.0.1', port: bridgePort } })
    direct = upstashDriver({ url: bridge.url, token: bridge.token })
  })
  afterAll(async () => {
    writeChaosResults(REPORT_DIR, 'upstash', results)
    await direct?.close()
    await proxy?.stop()
    await bridge?.stop()
    await redis?.stop()
  })

  async function scenario(fault: string, inject: () => unknown, heal: () => unknown): Promise<void> {
    // The driver's own deadline matches the cache's, and a request cut by it is not retried.
    const driver = upstashDriver({ url: `http://127.0.0.1:${proxy.port}`, token: bridge.token, timeoutMs: DEADLINE_MS, retries: 0 })
    const prefix = `up:chaos:${Math.random().toString(36).slice(2, 10)}`
    const cache = createCache({
      driver,
      prefix,
      deadlineMs: DEADLINE_MS,
      env: false,
      logger: quiet,
      circuitBreaker: { failureThreshold: 5, window: '2s', openDuration: '250ms' },
      invalidationQueue: { retryInterval: '100ms' },
    })
    try {
      const result = await runChaosScenario({
        store: 'Upstash REST',
        fault,
        cache,
        deadlineMs: DEADLINE_MS,
        inject,
        heal,
        readStore: (key) => direct.get(`${prefix}:${key}`),
      })
      results.push(result)
      expect(result.failed).toBe(0)
      expect(result.calls).toBeGreaterThan(100)
      expect(result.p99FaultMs).toBeLessThan(DEADLINE_MS + MARGIN_MS)
      expect(result.recoveryMs).not.toBeNull()
      expect(result.invalidationApplied).toBe(true)
    } finally {
      await cache.close()
      await driver.close()
    }
  }

  it('redis-server behind the bridge killed, restarted', () => scenario('store killed', () => redis.kill('SIGKILL'), () => redis.restart()))
  it('redis-server behind the bridge frozen, thawed', () => scenario('store frozen', () => redis.freeze(), () => redis.thaw()))
  it('network partition on the HTTP path (traffic held), healed', () => scenario('partition', () => proxy.partition(), () => proxy.heal()))
  it('latency spike on the HTTP path (300 ms ± 100 ms)', () => scenario('latency spike', () => proxy.setLatency(300, 100), () => proxy.setLatency(0, 0)))
  it('HTTP connection resets every 100 ms', () => {
    let timer: ReturnType<typeof setInterval> | undefined
    return scenario(
      'connection resets',
      () => {
        timer = setInterval(() => proxy.reset(), 100)
      },
      () => clearInterval(timer),
    )
  })
})
