import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver, ioredisDriverFromEnv } from '../src/index.js'
import { resolveOptions } from '../src/resolve-options.js'

// ioredis lets every field of a URL win over its options, even an empty one. These tests pin what
// the driver does instead: the options fill what the URL leaves out; a field set twice is refused.

function invalidMessage(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    return (error as Error).message
  }
  throw new Error('expected InvalidOptionsError')
}

const freshKey = () => `url:${Math.random().toString(36).slice(2)}`

describe('credentials and db in a redis:// URL', () => {
  let secured: RedisServerHandle
  beforeAll(async () => {
    secured = await startRedisServer({ args: ['--requirepass', 'url-secret'] })
  })
  afterAll(async () => {
    await secured.stop()
  })

  it('takes the user, password and db out of the URL and keeps host, port and query for ioredis', () => {
    const { target } = resolveOptions({ url: 'redis://app:p%40ss@redis.internal:6379/2?family=6' })
    expect(target).toMatchObject({
      kind: 'standalone',
      url: 'redis://redis.internal:6379?family=6',
      redisOptions: { username: 'app', password: 'p@ss', db: 2 },
    })
  })

  it('connects with a user in the URL and the password as an option (ioredis alone sends an empty password)', async () => {
    const url = `redis://default@127.0.0.1:${secured.port}`
    const driver = ioredisDriver({ url, password: 'url-secret' })
    const key = freshKey()
    await driver.set(key, 'stored', { ttlMs: 60_000 })
    expect(await driver.get(key)).toBe('stored')
    await driver.close()

    const plain = new Redis(url, { password: 'url-secret', lazyConnect: true, retryStrategy: () => null })
    plain.on('error', () => {})
    await expect(plain.connect().then(() => plain.ping())).rejects.toThrow()
    plain.disconnect()
  })

  it('selects the db of the URL path, or of redisOptions.db when the URL has none', async () => {
    const base = `redis://:url-secret@127.0.0.1:${secured.port}`
    const key = freshKey()
    const inPath = ioredisDriver({ url: `${base}/3` })
    await inPath.set(key, 'in db 3', { ttlMs: 60_000 })
    const inOption = ioredisDriver({ url: base, redisOptions: { db: 3 } })
    const inDefault = ioredisDriver({ url: base })
    expect(await inOption.get(key)).toBe('in db 3')
    expect(await inDefault.get(key)).toBeNull()
    await Promise.all([inPath.close(), inOption.close(), inDefault.close()])
  })

  it('refuses a field set both in the URL and as an option, by name and never by value', () => {
    const password = invalidMessage(() => ioredisDriver({ url: 'redis://:first-secret@redis.internal:6379', password: 'second-secret' }))
    expect(password).toBe('[@cachette/ioredis] invalid options: the password is set both in the URL and in password: set it in one place')
    const username = invalidMessage(() => ioredisDriver({ url: 'redis://clinic-app@redis.internal', redisOptions: { username: 'other-user' } }))
    expect(username).toMatch(/the username is set both in the URL and in username/)
    expect(username).not.toMatch(/clinic-app|other-user|redis\.internal/)
    expect(invalidMessage(() => ioredisDriver({ url: 'redis://redis.internal/4', redisOptions: { db: 5 } }))).toMatch(
      /the db is set both in the URL and in redisOptions\.db/,
    )
  })

  it('counts an empty password or username option as unset, as the URL form does', () => {
    const { target } = resolveOptions({ url: 'redis://:in-url@redis.internal', password: '', redisOptions: { username: '' } })
    expect(target.kind === 'standalone' && target.redisOptions).toMatchObject({ password: 'in-url' })
  })

  it('refuses a URL that does not parse, or whose path is not a db number, without echoing it', () => {
    const port = invalidMessage(() => ioredisDriver({ url: 'redis://:pw-in-url@redis.internal:sixty' }))
    expect(port).toBe('[@cachette/ioredis] invalid options: url: not a valid URL')
    const path = invalidMessage(() => ioredisDriver({ url: 'redis://redis.internal/patients' }))
    expect(path).toMatch(/url: the path must be a database number/)
    expect(path).not.toContain('patients')
  })

  it('does the same from the environment, naming the variables', async () => {
    const message = invalidMessage(() => ioredisDriverFromEnv({ REDIS_URL: 'redis://:from-url@redis.internal', REDIS_PASSWORD: 'from-var' }))
    expect(message).toBe('[@cachette/ioredis] invalid environment: the password is set both in the URL and in REDIS_PASSWORD: set it in one place')
    expect(invalidMessage(() => ioredisDriverFromEnv({ REDIS_URL: 'redis://redis.internal/1', REDIS_DB: '2' }))).toMatch(/in REDIS_DB/)

    const driver = ioredisDriverFromEnv({ REDIS_URL: `redis://127.0.0.1:${secured.port}`, REDIS_PASSWORD: 'url-secret', REDIS_DB: '5' })
    const key = freshKey()
    await driver.set(key, 'in db 5', { ttlMs: 60_000 })
    const direct = new Redis({ host: '127.0.0.1', port: secured.port, password: 'url-secret', db: 5 })
    expect(await direct.get(key)).toBe('in db 5')
    direct.disconnect()
    await driver.close()
  })
})
