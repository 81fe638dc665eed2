/**
 * Client-side caching end to end: a cache with `l1: { tracking }` on @cachette/redis and a real
 * redis-server. The value is changed by `redis-cli` (not through Cachette, not through any
 * Node client): once Redis's report has reached the process, the memory tier never answers the
 * old value again; after CLIENT KILL of the driver's connections, it serves nothing stale.
 */
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { createCache, type Cache } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { redisDriver } from '../src/index.js'

let server: RedisServerHandle
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server?.stop())

const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(server.port), ...args], { encoding: 'utf8' }).trim()
let run = 0
const prefix = () => `cst${process.pid}x${++run}`

function quantiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2)
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`
}

async function servingCache(l1: object): Promise<{ cache: Cache; prefix: string }> {
  const p = prefix()
  const cache = createCache({ driver: redisDriver({ url: server.url }), prefix: p, env: false, ttl: '10m', l1 })
  await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true), { timeout: 5_000 })
  return { cache, prefix: p }
}

/** Reads `key` until memory answers it (a store read first, tracked by Redis, then an L1 hit). */
async function warm(cache: Cache, key: string, expected: unknown): Promise<void> {
  await vi.waitFor(async () => {
    const hits = cache.stats().l1?.hits ?? 0
    expect(await cache.get(key)).toEqual(expected)
    expect(cache.stats().l1?.hits).toBe(hits + 1)
  })
}

/** The stored entry of `fullKey` with `from` replaced by `to`, written back by redis-cli. */
function rewriteWithRedisCli(fullKey: string, from: string, to: string): void {
  const stored = cli('GET', fullKey)
  expect(stored).toContain(from)
  expect(cli('SET', fullKey, stored.replace(from, to), 'KEEPTTL')).toBe('OK')
}

/** The same, without blocking this process: resolves when redis-cli has printed Redis's OK. */
async function rewriteWithRedisCliAsync(fullKey: string, from: string, to: string): Promise<number> {
  const stored = cli('GET', fullKey)
  expect(stored).toContain(from)
  const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(server.port), 'SET', fullKey, stored.replace(from, to), 'KEEPTTL'], { encoding: 'utf8' })
  expect(stdout.trim()).toBe('OK')
  return performance.now()
}

describe.each([
  ['default mode', { tracking: true }],
  ['broadcast mode', { tracking: { broadcast: true } }],
] as const)('client-side caching on @cachette/redis, %s', (_mode, l1) => {
  it('a value changed by redis-cli is never served from memory once Redis reported it (20 reps, delay measured)', async () => {
    const { cache, prefix: p } = await servingCache(l1)
    const delays: number[] = []
    let staleAfterReport = 0
    let staleBeforeReport = 0
    try {
      for (let rep = 0; rep < 20; rep++) {
        const key = `item:${rep}`
        await cache.set(key, { rep, v: 1 })
        await warm(cache, key, { rep, v: 1 })
        const reportsBefore = cache.stats().l1?.trackingReports ?? 0
        // redis-cli runs while this process keeps reading: every read is checked against what
        // the process had been told when it started.
        let cliDoneAt: number | undefined
        const writing = rewriteWithRedisCliAsync(`${p}:${key}`, '"v":1', '"v":2').then((at) => (cliDoneAt = at))
        let reportedAt: number | undefined
        const started = performance.now()
        for (;;) {
          const reported = (cache.stats().l1?.trackingReports ?? 0) > reportsBefore
          if (reported && reportedAt === undefined) reportedAt = performance.now()
          const value = (await cache.get(key)) as { v: number }
          if (value.v === 1) {
            if (reported) staleAfterReport++
            else staleBeforeReport++
          } else if (reportedAt !== undefined && cliDoneAt !== undefined) break
          if (performance.now() - started > 5_000) throw new Error(`rep ${rep}: no report within 5 s`)
          // A memory hit settles in microtasks: let the sockets be read between two reads.
          await new Promise((resolve) => setImmediate(resolve))
        }
        await writing
        // Negative: the report reached the cache before redis-cli's own output reached this process.
        delays.push((reportedAt as number) - (cliDoneAt as number))
      }
      console.log(`client-side caching (${_mode}): Redis's report reached the cache ${quantiles(delays)} after redis-cli printed its OK (negative: before); reads of the old value before the report: ${staleBeforeReport}, after it: ${staleAfterReport}`)
      expect(staleAfterReport).toBe(0)
      expect(delays).toHaveLength(20)
    } finally {
      await cache.close({ driver: true })
    }
  })

  it('after CLIENT KILL of its connections the tier stops serving, and nothing stale is served after the loss is known', async () => {
    const { cache, prefix: p } = await servingCache(l1)
    try {
      await cache.set('k', { v: 1 })
      await warm(cache, 'k', { v: 1 })
      cli('CLIENT', 'KILL', 'TYPE', 'pubsub')
      cli('CLIENT', 'KILL', 'TYPE', 'normal')
      await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(false), { timeout: 2_000, interval: 1 })
      // Changed while the process cannot hear of it: the store answers, never the memory tier.
      rewriteWithRedisCli(`${p}:k`, '"v":1', '"v":2')
      await vi.waitFor(async () => expect(await cache.get('k')).toEqual({ v: 2 }), { timeout: 5_000 })
      await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true), { timeout: 5_000 })
      for (let i = 0; i < 5; i++) expect(await cache.get('k')).toEqual({ v: 2 })
      // Tracking is on again: a later change is reported and seen.
      await warm(cache, 'k', { v: 2 })
      rewriteWithRedisCli(`${p}:k`, '"v":2', '"v":3')
      await vi.waitFor(async () => expect(await cache.get('k')).toEqual({ v: 3 }), { timeout: 2_000 })
    } finally {
      await cache.close({ driver: true })
    }
  })
})

it('broadcast mode reports a key under the prefix this process never read; a flush empties the tier', async () => {
  const { cache, prefix: p } = await servingCache({ tracking: { broadcast: true } })
  try {
    await cache.set('own', { v: 1 }) // broadcast: its own write is kept in memory
    expect(cache.stats().l1?.entries).toBe(1)
    const reports = cache.stats().l1?.trackingReports ?? 0
    cli('SET', `${p}:never-read`, 'x')
    await vi.waitFor(() => expect(cache.stats().l1?.trackingReports).toBeGreaterThan(reports))
    cli('FLUSHALL')
    await vi.waitFor(() => expect(cache.stats().l1?.entries).toBe(0))
    expect(await cache.get('own')).toBeUndefined()
  } finally {
    await cache.close({ driver: true })
  }
})
