import { createCache, type Cache } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * Two tiers with a frozen store: redis-server SIGSTOPped for 10 s (its sockets stay open, nothing
 * answers, so no connection is seen lost) under 100 getOrSet calls per second over 50 hot keys.
 * The memory tier answers while its 2 s TTL lasts, then as stale within grace once each store
 * read has failed (its 100 ms deadline, then the open circuit): every call resolves with the
 * right value, and no loader runs again for a key that was warm.
 */

const KEYS = 50
const FREEZE_MS = 10_000
const CALLS_PER_SECOND = 100
/** Calls also go on for this long after SIGCONT: the recovery must not call loaders either. */
const AFTER_THAW_MS = 2_000

const valueOf = (i: number) => ({ id: i, name: `patient ${i}` })

describe('two tiers: the store frozen (SIGSTOP) for 10 s', () => {
  let server: RedisServerHandle
  let cache: Cache | undefined
  let frozen = false

  beforeAll(async () => {
    server = await startRedisServer()
  }, 60_000)

  afterAll(async () => {
    // SIGCONT whatever happened, before anything else is closed.
    if (frozen) server?.thaw()
    await cache?.close({ driver: true }).catch(() => undefined)
    await server?.stop()
  }, 30_000)

  it('100 getOrSet calls/s over 50 hot keys: 0 failed calls, at most one loader call per key', async () => {
    const driver = ioredisDriver({ url: server.url })
    const warnings: string[] = []
    cache = createCache({
      driver,
      prefix: randomPrefix('two-tiers-frozen'),
      env: false,
      ttl: '1m',
      grace: '1h',
      deadlineMs: 100,
      circuitBreaker: { failureThreshold: 5, window: '2s', openDuration: '250ms' },
      l1: { ttl: '2s' },
      logger: { warn: (message) => warnings.push(message) },
    })
    const live = cache
    await vi.waitFor(() => expect(live.stats().l1?.serving).toBe(true), { timeout: 10_000 })
    const loaderCalls = new Array<number>(KEYS).fill(0)
    const key = (i: number) => `patient:${i}`
    const call = (i: number) =>
      live.getOrSet(key(i), async () => {
        loaderCalls[i] = (loaderCalls[i] ?? 0) + 1
        return valueOf(i)
      })
    // Warm: one loader call per key, each entry in the store and in memory.
    for (let i = 0; i < KEYS; i++) expect(await call(i)).toEqual(valueOf(i))
    expect(loaderCalls).toEqual(new Array<number>(KEYS).fill(1))

    let calls = 0
    const failures: string[] = []
    const latencies: number[] = []
    const pending: Promise<void>[] = []
    const issue = () => {
      const i = calls++ % KEYS
      const started = performance.now()
      pending.push(
        call(i).then(
          (value) => {
            latencies.push(performance.now() - started)
            if (JSON.stringify(value) !== JSON.stringify(valueOf(i))) failures.push(`${key(i)}: ${JSON.stringify(value)}`)
          },
          (error: unknown) => {
            latencies.push(performance.now() - started)
            failures.push(`${key(i)}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
          },
        ),
      )
    }
    /** Issues calls at CALLS_PER_SECOND (by elapsed time, so a late timer catches up) for `ms`. */
    const traffic = async (ms: number) => {
      const start = performance.now()
      const first = calls
      while (performance.now() - start < ms) {
        const due = first + Math.floor(((performance.now() - start) * CALLS_PER_SECOND) / 1000)
        while (calls < due) issue()
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }

    let frozenCalls = 0
    server.freeze()
    frozen = true
    try {
      await traffic(FREEZE_MS)
      frozenCalls = calls
    } finally {
      server.thaw()
      frozen = false
    }
    await traffic(AFTER_THAW_MS)
    await Promise.all(pending)

    const stats = live.stats()
    const sorted = [...latencies].sort((a, b) => a - b)
    console.log(
      `two-tier frozen store: ${frozenCalls} calls during the 10 s freeze, ${calls - frozenCalls} after SIGCONT; ${failures.length} failed; loader calls ${loaderCalls.reduce((a, b) => a + b, 0)} for ${KEYS} keys; ` +
        `l1 hits ${stats.l1?.hits}, l1 stale hits ${stats.l1?.staleHits}, circuit skipped ${stats.circuitSkipped}, timeouts ${stats.timeouts}; ` +
        `latency p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(1)} ms, max ${sorted[sorted.length - 1]?.toFixed(1)} ms`,
    )
    expect(frozenCalls).toBeGreaterThanOrEqual((FREEZE_MS / 1000) * CALLS_PER_SECOND * 0.95)
    expect(failures).toEqual([])
    expect(loaderCalls.every((count) => count <= 1), `loader calls per key: ${loaderCalls.join(',')}`).toBe(true)
    // The memory tier really carried the freeze: past its 2 s TTL, as stale answers.
    expect(stats.l1?.staleHits).toBeGreaterThan(0)
    // And the store answers again afterwards.
    await vi.waitFor(() => driver.ping(), { timeout: 5_000 })
  }, 60_000)
})
