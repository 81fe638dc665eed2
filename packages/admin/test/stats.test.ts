import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createCache, memoryDriver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { chaosDriver, startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler, type AdminStatsBody } from '../src/index.js'
import { humanBytes } from '../src/admin-stats.js'
import { TOKEN, adminRequest, randomPrefix, recordingLogger } from './support/fixtures.js'

const run = promisify(execFile)
const quiet = { warn: () => undefined }

async function statsOf(admin: (request: Request) => Promise<Response>): Promise<{ status: number; body: AdminStatsBody }> {
  const response = await admin(adminRequest('/stats'))
  return { status: response.status, body: (await response.json()) as AdminStatsBody }
}

/** `INFO` of the server as redis-cli prints it, field by field. */
async function redisInfo(port: number): Promise<Record<string, string>> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'INFO'])
  return Object.fromEntries(
    stdout
      .split(/\r?\n/)
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  )
}

const SEED_FIELDS = ['enabled', 'used_memory', 'total_connections', 'total_commands', 'keyspace_hits', 'keyspace_misses', 'hit_rate']

describe('GET /stats on a redis-server', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it("answers seed 002's fields from INFO, and the cache's own counters under cache", async () => {
    const driver = ioredisDriver({ url: server.url })
    try {
      const cache = createCache({ driver, prefix: randomPrefix(), env: false })
      const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
      await cache.set('patient:1', { id: 1 })
      for (let i = 0; i < 3; i++) await cache.get('patient:1')
      await cache.get('patient:2')

      const { status, body } = await statsOf(admin)
      const info = await redisInfo(server.port)
      expect(status).toBe(200)
      for (const field of SEED_FIELDS) expect(body).toHaveProperty(field)
      expect(body.enabled).toBe(true)
      // Nothing else talks to this server between the two reads of these counters.
      expect(body.keyspace_hits).toBe(Number(info.keyspace_hits))
      expect(body.keyspace_misses).toBe(Number(info.keyspace_misses))
      expect(body.keyspace_hits).toBeGreaterThanOrEqual(3)
      expect(body.hit_rate).toBe(Math.round(((body.keyspace_hits as number) / ((body.keyspace_hits as number) + (body.keyspace_misses as number))) * 10_000) / 100)
      // redis-cli's own connection is counted in its INFO, not in ours.
      expect(body.total_connections).toBe(Number(info.connected_clients) - 1)
      expect(body.total_commands).toBeGreaterThan(5)
      expect(body.total_commands).toBeLessThanOrEqual(Number(info.total_commands_processed))
      expect(body.used_memory).toMatch(/^\d+\.\d\d[KMG]$/)
      expect(body.used_memory_bytes).toBeGreaterThan(100_000)
      expect(body.keys).toBeGreaterThanOrEqual(1)
      expect(body.store_error).toBeUndefined()
      expect(body.cache).toMatchObject({ hits: 3, misses: 1, hitRate: 0.75, sets: 1, errors: 0 })
    } finally {
      await driver.close()
    }
  })

  it('answers 200 with the INFO fields null and store_error when the server is down, the cache counters still there', async () => {
    const lonely = await startRedisServer()
    const driver = ioredisDriver({ url: lonely.url })
    try {
      const cache = createCache({ driver, prefix: 'identity', deadlineMs: 300, env: false, logger: quiet })
      const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
      await cache.set('patient:1', { id: 1 })
      await lonely.kill('SIGKILL')
      const { status, body } = await statsOf(admin)
      expect(status).toBe(200)
      expect(body).toMatchObject({
        enabled: true,
        used_memory: null,
        used_memory_bytes: null,
        total_connections: null,
        total_commands: null,
        keyspace_hits: null,
        keyspace_misses: null,
        hit_rate: null,
        keys: null,
        store_error: expect.stringMatching(/^(DRIVER_FAILURE|DEADLINE_EXCEEDED)$/),
      })
      expect(body.cache.sets).toBe(1)
      expect(body.cache.errors).toBeGreaterThanOrEqual(1) // the failed INFO is counted by the cache, as its own calls are
    } finally {
      await driver.close()
      await lonely.stop()
    }
  })
})

describe('GET /stats on the memory driver', () => {
  it('reads what the memory driver reports; what it does not is null', async () => {
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    await cache.set('patient:1', { id: 1 })
    await cache.get('patient:1')
    const { body } = await statsOf(admin)
    expect(body).toMatchObject({ enabled: true, keys: 1, keyspace_hits: 1, total_connections: null })
    expect(body.keyspace_misses).toEqual(expect.any(Number))
    expect(body.used_memory).toMatch(/^\d+B$|^\d+\.\d\dK$/)
  })

  it('does not ask the store when the cache is disabled', async () => {
    const driver = chaosDriver(memoryDriver())
    const cache = createCache({ driver, prefix: 'identity', enabled: false, env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    const { status, body } = await statsOf(admin)
    expect(status).toBe(200)
    expect(body).toMatchObject({ enabled: false, used_memory: null, keyspace_hits: null, hit_rate: null })
    expect(body.store_error).toBeUndefined()
    expect(driver.chaos.calls).toBe(0)
  })

  it('reports CIRCUIT_OPEN without calling the store while the breaker is open', async () => {
    const driver = chaosDriver(memoryDriver(), { failureRate: 1 })
    const cache = createCache({ driver, prefix: 'identity', circuitBreaker: { failureThreshold: 2 }, env: false, logger: quiet })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    await statsOf(admin)
    await statsOf(admin)
    const calls = driver.chaos.calls
    const { body } = await statsOf(admin)
    expect(body.store_error).toBe('CIRCUIT_OPEN')
    expect(driver.chaos.calls).toBe(calls)
  })
})

describe('humanBytes', () => {
  it.each([
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1.00K'],
    [1536, '1.50K'],
    [1_289_748, '1.23M'],
    [5 * 1024 ** 3, '5.00G'],
  ])('prints %d as Redis prints used_memory_human: %s', (bytes, human) => {
    expect(humanBytes(bytes)).toBe(human)
  })
})
