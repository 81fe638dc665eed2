import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidOptionsError, isCacheError } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { GlideClient } from '@valkey/valkey-glide'
import { glideDriver, glideDriverFromEnv } from '../src/index.js'
import { connectionFromEnv } from '../src/env-options.js'

function thrown(make: () => unknown): Error {
  try {
    make()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a throw')
}

describe('glideDriver options', () => {
  it('refuses a typo, a bad value, both forms at once, and tls without useTLS, naming the field only', () => {
    const secret = 's3cr3t-password'
    const typo = thrown(() => glideDriver({ addresses: [{ host: 'h' }], deadLine: 5, credentials: { password: secret } } as never))
    expect(typo).toBeInstanceOf(InvalidOptionsError)
    expect(typo.message).toMatch(/^\[@cachette\/valkey-glide\] invalid options: .*deadLine/)
    expect(typo.message).not.toContain(secret)
    expect(thrown(() => glideDriver({ addresses: [{ host: 'h', port: 70000 }] })).message).toMatch(/addresses\.0\.port/)
    expect(thrown(() => glideDriver({ addresses: [] })).message).toMatch(/addresses/)
    expect(thrown(() => glideDriver({ addresses: [{ host: 'h' }], deadlineMs: 0 })).message).toMatch(/deadlineMs/)
    expect(thrown(() => glideDriver({ client: {} as never })).message).toMatch(/GlideClient or GlideClusterClient/)
    expect(thrown(() => glideDriver({ client: {}, addresses: [{ host: 'h' }] } as never)).message).toMatch(/either client or addresses/)
    expect(thrown(() => glideDriver({ addresses: [{ host: 'h' }], tls: { insecure: true } })).message).toMatch(/tls needs useTLS/)
  })
})

describe('glideDriverFromEnv', () => {
  it('reads REDIS_URL with credentials, db and rediss://', () => {
    expect(connectionFromEnv({ REDIS_URL: 'rediss://app:p%40ss@valkey.internal:6380/2' })).toEqual({
      addresses: [{ host: 'valkey.internal', port: 6380 }],
      credentials: { password: 'p@ss', username: 'app' },
      databaseId: 2,
      useTLS: true,
    })
  })

  it('reads REDIS_HOST and friends, empty variables unset, REDIS_CLUSTER', () => {
    expect(connectionFromEnv({ REDIS_HOST: 'localhost', REDIS_PORT: '6390', REDIS_DB: '', REDIS_PASSWORD: '', REDIS_CLUSTER: 'true' })).toEqual({
      addresses: [{ host: 'localhost', port: 6390 }],
      clusterMode: true,
    })
  })

  it('names a malformed variable, never its value', () => {
    const error = thrown(() => glideDriverFromEnv({ REDIS_HOST: 'h', REDIS_PORT: 'not-a-port-s3cr3t' }))
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    expect(error.message).toMatch(/REDIS_PORT/)
    expect(error.message).not.toContain('s3cr3t')
    const both = thrown(() => connectionFromEnv({ REDIS_URL: 'redis://:inurl-s3cr3t@h:6379', REDIS_PASSWORD: 'other-s3cr3t' }))
    expect(both.message).toMatch(/REDIS_PASSWORD/)
    expect(both.message).not.toMatch(/s3cr3t/)
    expect(thrown(() => connectionFromEnv({})).message).toMatch(/set REDIS_URL, or REDIS_HOST/)
  })
})

describe('a client handed in', () => {
  let server: RedisServerHandle
  let client: GlideClient
  beforeAll(async () => {
    server = await startRedisServer()
    client = await GlideClient.createClient({ addresses: [{ host: server.host, port: server.port }], requestTimeout: 500 })
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  it('is used, never closed by close(), and announces no pub/sub', async () => {
    const driver = glideDriver({ client })
    expect(driver.capabilities.pubsub).toBe(false)
    await driver.set('handed:k', 'v', { ttlMs: 60_000 })
    expect(await driver.get('handed:k')).toBe('v')
    const refused = await driver.subscribe('handed:channel', () => undefined).then(() => undefined, (error: unknown) => error)
    expect(isCacheError(refused) && refused.code).toBe('UNSUPPORTED')
    await driver.close()
    await driver.close()
    expect(await client.get('handed:k')).toBe('v')
    const afterClose = await driver.get('handed:k').then(() => undefined, (error: unknown) => error)
    expect(isCacheError(afterClose) && afterClose.code).toBe('CLOSED')
  })

  it('env-configured driver works end to end', async () => {
    const driver = glideDriverFromEnv({ REDIS_URL: `redis://${server.host}:${server.port}` }, { deadlineMs: 1000 })
    try {
      await driver.ping()
      expect(driver.capabilities.pubsub).toBe(true)
    } finally {
      await driver.close()
    }
  })
})
