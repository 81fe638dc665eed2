import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver, ioredisDriverFromEnv, type IoredisDriverOptions } from '../src/index.js'
import { resolveOptions } from '../src/resolve-options.js'

function invalidMessage(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    return (error as Error).message
  }
  throw new Error('expected InvalidOptionsError')
}

describe('ioredisDriver options', () => {
  it('names the failing option in a readable message', () => {
    expect(invalidMessage(() => ioredisDriver({ host: 'localhost', port: 70000 }))).toMatch(/^\[@cachette\/ioredis\] invalid options: port: /)
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://localhost', deadlineMs: 0 }))).toMatch(/deadlineMs/)
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://localhost', deadlineMs: 500, socketTimeoutMs: 100 }))).toMatch(/socketTimeoutMs must be >= deadlineMs/)
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://localhost', deadLine: 5 } as unknown as IoredisDriverOptions))).toMatch(/deadLine/)
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://localhost', coalesceWrites: 'yes' } as unknown as IoredisDriverOptions))).toMatch(
      /coalesceWrites: .*boolean/,
    )
  })

  it('refuses two ways of connecting at once', () => {
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://a', cluster: [{ host: 'b', port: 1 }] } as unknown as IoredisDriverOptions))).toMatch(/only one of client, url, sentinels, cluster/)
  })

  it('never echoes a URL or a password in the message', () => {
    const message = invalidMessage(() => ioredisDriver({ url: 'http://user:s3cret-pw@db.internal:6379' }))
    expect(message).toMatch(/url: expected a redis:\/\/ or rediss:\/\/ URL/)
    expect(message).not.toContain('s3cret-pw')
    expect(message).not.toContain('db.internal')
  })

  it('applies tls to the master behind Sentinel, which ioredis ignores without enableTLSForSentinelMode', () => {
    const sentinels = [{ host: 's1', port: 26379 }]
    const secured = resolveOptions({ sentinels, name: 'mymaster', tls: true })
    expect(secured.target.kind === 'sentinel' && secured.target.redisOptions).toMatchObject({ tls: {}, enableTLSForSentinelMode: true })
    const plain = resolveOptions({ sentinels, name: 'mymaster' })
    expect(plain.target.kind === 'sentinel' && plain.target.redisOptions.enableTLSForSentinelMode).toBeUndefined()
  })

  it('turns TLS on for rediss:// and applies the safe defaults', () => {
    const { target, tuning } = resolveOptions({ url: 'rediss://cache.example:6380' })
    expect(target.kind === 'standalone' && target.redisOptions.tls).toEqual({})
    expect(tuning).toMatchObject({ deadlineMs: 500, socketTimeoutMs: 500, connectTimeoutMs: 2000, keepAliveMs: 10_000, maxPendingCalls: 1000 })
  })
})

describe('ioredisDriverFromEnv', () => {
  let server: RedisServerHandle
  let secured: RedisServerHandle
  beforeAll(async () => {
    ;[server, secured] = await Promise.all([startRedisServer(), startRedisServer({ args: ['--requirepass', 'env-secret'] })])
  })
  afterAll(async () => {
    await Promise.all([server.stop(), secured.stop()])
  })

  it('connects with REDIS_URL', async () => {
    const driver = ioredisDriverFromEnv({ REDIS_URL: server.url })
    await expect(driver.ping()).resolves.toBeUndefined()
    await driver.close()
  })

  it('connects with REDIS_HOST / PORT / DB / PASSWORD, an empty variable counting as unset', async () => {
    const driver = ioredisDriverFromEnv({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(secured.port), REDIS_DB: '3', REDIS_PASSWORD: 'env-secret', REDIS_USERNAME: '' })
    const key = `env:${Math.random().toString(36).slice(2)}`
    await driver.set(key, 'in db 3', { ttlMs: 60_000 })
    const direct = new Redis({ port: secured.port, host: '127.0.0.1', password: 'env-secret', db: 3 })
    expect(await direct.get(key)).toBe('in db 3')
    direct.disconnect()
    await driver.close()
  })

  it('a wrong password fails the calls without showing the password', async () => {
    const driver = ioredisDriverFromEnv({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(secured.port), REDIS_PASSWORD: 'not-the-password' })
    const error = await driver.ping().then(() => undefined, (caught: unknown) => caught as Error)
    expect(isCacheError(error)).toBe(true)
    expect(`${error?.message} ${String((error as { cause?: unknown }).cause)}`).not.toContain('not-the-password')
    await driver.close()
  })

  it('rejects a malformed variable by name, never by value', () => {
    const message = invalidMessage(() => ioredisDriverFromEnv({ REDIS_HOST: 'localhost', REDIS_PORT: 'sixty-three-79' }))
    expect(message).toMatch(/^\[@cachette\/ioredis\] invalid environment: REDIS_PORT: expected a whole number/)
    expect(message).not.toContain('sixty-three-79')
    expect(invalidMessage(() => ioredisDriverFromEnv({ REDIS_HOST: 'localhost', REDIS_TLS: 'yes' }))).toMatch(/REDIS_TLS/)
    expect(invalidMessage(() => ioredisDriverFromEnv({ REDIS_URL: 'localhost:6379' }))).toMatch(/REDIS_URL/)
  })

  it('asks for REDIS_URL or REDIS_HOST when neither is set', () => {
    expect(invalidMessage(() => ioredisDriverFromEnv({ REDIS_PASSWORD: 'x' }))).toMatch(/set REDIS_URL, or REDIS_HOST/)
  })
})
