import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError, type Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { toDriverError } from '../src/driver-errors.js'

/** Everything an error exposes, as a logger that serializes it deeply would print it. */
function everything(error: unknown): string {
  const seen = new Set<unknown>()
  const walk = (value: unknown): string => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return String(value)
    seen.add(value)
    const own = Object.getOwnPropertyNames(value).map((name) => `${name}=${walk((value as Record<string, unknown>)[name])}`)
    return `{${own.join(',')}}`
  }
  return walk(error)
}

describe('Redis errors', () => {
  let server: RedisServerHandle
  let driver: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    driver = ioredisDriver({ url: server.url })
  })
  afterAll(async () => {
    await driver.close()
    await server.stop()
  })

  it('WRONGTYPE and "not an integer" get their codes, and no key or value leaks through message or cause', async () => {
    const key = 'patient:1234567:secret-name'
    await driver.set(key, 'Dupont Jeanne 1961-04-02', { ttlMs: 60_000 })
    const wrongType = await driver.hset(key, { diagnosis: 'confidential' }).then(() => undefined, (error: unknown) => error)
    expect(isCacheError(wrongType) && wrongType.code).toBe('WRONG_TYPE')
    const notInteger = await driver.incrby(key, 1).then(() => undefined, (error: unknown) => error)
    expect(isCacheError(notInteger) && notInteger.code).toBe('NOT_INTEGER')
    for (const error of [wrongType, notInteger]) {
      const text = everything(error)
      expect(text).toMatch(/@cachette\/ioredis/)
      for (const secret of ['1234567', 'secret-name', 'Dupont', 'confidential']) expect(text).not.toContain(secret)
    }
    await driver.delete([key])
  })

  it('keeps only the reply prefix of a server error that echoes its arguments', () => {
    const replyError = Object.assign(new Error("ERR unknown command 'patient:42', with args beginning with: 'Jeanne'"), {
      name: 'ReplyError',
      command: { name: 'patient:42', args: ['Jeanne'] },
    })
    const error = toDriverError('get', replyError)
    expect(isCacheError(error) && error.code).toBe('DRIVER_FAILURE')
    expect(error.message).toBe('[@cachette/ioredis] get failed: Redis replied ERR')
    expect((error.cause as Error).name).toBe('ReplyError')
    expect(everything(error)).not.toMatch(/patient:42|Jeanne/)
  })

  it('keeps connection errors readable (they hold no data) with their code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })
    const error = toDriverError('set', refused)
    expect(error.message).toBe('[@cachette/ioredis] set failed: connect ECONNREFUSED 127.0.0.1:6379')
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED')
  })
})
