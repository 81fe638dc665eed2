import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { redisDriver, redisDriverFromEnv, type RedisDriverOptions } from '../src/index.js'
import { resolveOptions } from '../src/resolve-options.js'
import { adminClient } from './support/kill-connections.js'

function invalidMessage(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    return (error as Error).message
  }
  throw new Error('expected InvalidOptionsError')
}

describe('redisDriver options', () => {
  it('names the failing option in a readable message', () => {
    expect(invalidMessage(() => redisDriver({ host: 'localhost', port: 70000 }))).toMatch(/^\[@cachette\/redis\] invalid options: port: /)
    expect(invalidMessage(() => redisDriver({ url: 'redis://localhost', deadlineMs: 0 }))).toMatch(/deadlineMs/)
    expect(invalidMessage(() => redisDriver({ url: 'redis://localhost', deadlineMs: 500, socketTimeoutMs: 100 }))).toMatch(/socketTimeoutMs must be >= deadlineMs/)
    expect(invalidMessage(() => redisDriver({ url: 'redis://localhost', deadLine: 5 } as unknown as RedisDriverOptions))).toMatch(/deadLine/)
    expect(invalidMessage(() => redisDriver({ sentinel: { sentinels: [], name: 'mymaster' } }))).toMatch(/sentinel\.sentinels/)
    expect(invalidMessage(() => redisDriver({ client: {} } as unknown as RedisDriverOptions))).toMatch(/client: expected a node-redis client/)
  })

  it('refuses two ways of connecting at once', () => {
    expect(invalidMessage(() => redisDriver({ url: 'redis://a', cluster: [{ host: 'b', port: 1 }] } as unknown as RedisDriverOptions))).toMatch(/only one of client, url, sentinel, cluster/)
  })

  it('never echoes a URL, a host or a password in the message', () => {
    const message = invalidMessage(() => redisDriver({ url: 'http://user:s3cret-pw@db.internal:6379' }))
    expect(message).toMatch(/url: expected a redis:\/\/ or rediss:\/\/ URL/)
    expect(message).not.toContain('s3cret-pw')
    expect(message).not.toContain('db.internal')
    const both = invalidMessage(() => redisDriver({ url: 'redis://app:s3cret-pw@db.internal:6379', password: 'other-secret' }))
    expect(both).toMatch(/password is set both in the URL and in password/)
    expect(both).not.toContain('s3cret-pw')
    expect(both).not.toContain('other-secret')
  })

  it('turns TLS on for rediss:// and applies the safe defaults', () => {
    const { target, tuning } = resolveOptions({ url: 'rediss://cache.example:6380/2' })
    expect(target).toMatchObject({ kind: 'standalone', host: 'cache.example', port: 6380, db: 2, auth: { tls: {} } })
    expect(tuning).toMatchObject({ deadlineMs: 500, socketTimeoutMs: 500, connectTimeoutMs: 2000, keepAliveMs: 10_000, maxPendingCalls: 1000, scanCount: 250, deleteBatchSize: 500 })
  })

  it('announces every capability, tracking included; crossSlotBatch only off a cluster', async () => {
    const cluster = redisDriver({ cluster: [{ host: '127.0.0.1', port: 1 }], connectTimeoutMs: 50 })
    expect(cluster.capabilities).toMatchObject({ tracking: true, crossSlotBatch: false, compareAndSet: true })
    await cluster.close()
    const standalone = redisDriver({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 50 })
    expect(standalone.capabilities).toEqual({
      binary: true,
      counters: true,
      inspection: true,
      hashes: true,
      sets: true,
      sortedSets: true,
      pubsub: true,
      batch: true,
      crossSlotBatch: true,
      compareAndDelete: true,
      compareAndSet: true,
      tracking: true,
    })
    const refused = await standalone.trackInvalidations(() => undefined, { prefixes: [] }).catch((error: unknown) => error)
    expect(isCacheError(refused) && refused.code).toBe('INVALID_OPTIONS')
    await standalone.close()
  })
})

describe('redisDriverFromEnv', () => {
  let server: RedisServerHandle
  let secured: RedisServerHandle
  beforeAll(async () => {
    ;[server, secured] = await Promise.all([startRedisServer(), startRedisServer({ args: ['--requirepass', 'env-secret'] })])
  })
  afterAll(async () => {
    await Promise.all([server.stop(), secured.stop()])
  })

  it('connects with REDIS_URL', async () => {
    const driver = redisDriverFromEnv({ REDIS_URL: server.url })
    await expect(driver.ping()).resolves.toBeUndefined()
    await driver.close()
  })

  it('connects with REDIS_HOST / PORT / DB / PASSWORD, an empty variable counting as unset', async () => {
    const driver = redisDriverFromEnv({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(secured.port), REDIS_DB: '3', REDIS_PASSWORD: 'env-secret', REDIS_USERNAME: '' })
    const key = `env:${Math.random().toString(36).slice(2)}`
    await driver.set(key, 'in db 3', { ttlMs: 60_000 })
    const direct = await adminClient({ port: secured.port })
    await direct.sendCommand(['AUTH', 'env-secret'])
    await direct.sendCommand(['SELECT', '3'])
    expect(await direct.sendCommand(['GET', key])).toBe('in db 3')
    direct.destroy()
    await driver.close()
  })

  it('a wrong password fails the calls without showing the password', async () => {
    const driver = redisDriverFromEnv({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(secured.port), REDIS_PASSWORD: 'not-the-password' })
    const error = await driver.ping().then(() => undefined, (caught: unknown) => caught as Error)
    expect(isCacheError(error)).toBe(true)
    expect(`${error?.message} ${String((error as { cause?: unknown }).cause)}`).not.toContain('not-the-password')
    await driver.close()
  })

  it('rejects a malformed variable by name, never by value', () => {
    const message = invalidMessage(() => redisDriverFromEnv({ REDIS_HOST: 'localhost', REDIS_PORT: 'sixty-three-79' }))
    expect(message).toMatch(/^\[@cachette\/redis\] invalid environment: REDIS_PORT: expected a whole number/)
    expect(message).not.toContain('sixty-three-79')
    expect(invalidMessage(() => redisDriverFromEnv({ REDIS_HOST: 'localhost', REDIS_TLS: 'yes' }))).toMatch(/REDIS_TLS/)
    expect(invalidMessage(() => redisDriverFromEnv({ REDIS_URL: 'localhost:6379' }))).toMatch(/REDIS_URL/)
  })

  it('asks for REDIS_URL or REDIS_HOST when neither is set', () => {
    expect(invalidMessage(() => redisDriverFromEnv({ REDIS_PASSWORD: 'x' }))).toMatch(/set REDIS_URL, or REDIS_HOST/)
  })
})
