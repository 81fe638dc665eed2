import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError, type Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { glideDriver } from '../src/index.js'
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

/** A GLIDE-like error class (GLIDE's errors are told apart by their class name). */
function glideError(name: string, message: string): Error {
  const Named = { [name]: class extends Error {} }[name] as new (message: string) => Error
  return new Named(message)
}

describe('GLIDE errors', () => {
  let server: RedisServerHandle
  let driver: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    driver = glideDriver({ addresses: [{ host: server.host, port: server.port }] })
  })
  afterAll(async () => {
    await driver.close()
    await server.stop()
  })

  it('WRONGTYPE and "not an integer" get their codes, in a batch and a script too, and no key or value leaks', async () => {
    const key = 'patient:1234567:secret-name'
    await driver.set(key, 'Dupont Jeanne 1961-04-02', { ttlMs: 60_000 })
    const failures = await Promise.all([
      driver.hset(key, { diagnosis: 'confidential' }).then(() => undefined, (error: unknown) => error),
      driver.incrby(key, 1).then(() => undefined, (error: unknown) => error),
      driver.batch([{ op: 'hset', key, fields: { diagnosis: 'confidential' } }]).then(() => undefined, (error: unknown) => error),
      driver.batch([{ op: 'incrby', key, by: 1 }]).then(() => undefined, (error: unknown) => error),
      driver.zrangeByScore(key, '-inf', '+inf').then(() => undefined, (error: unknown) => error),
    ])
    expect(failures.map((error) => isCacheError(error) && error.code)).toEqual(['WRONG_TYPE', 'NOT_INTEGER', 'WRONG_TYPE', 'NOT_INTEGER', 'WRONG_TYPE'])
    for (const error of failures) {
      const text = everything(error)
      expect(text).toMatch(/@cachette\/valkey-glide/)
      for (const secret of ['1234567', 'secret-name', 'Dupont', 'confidential']) expect(text).not.toContain(secret)
    }
    await driver.delete([key])
  })

  it('keeps only the reply prefix of a server error that echoes its arguments', () => {
    const error = toDriverError('get', glideError('RequestError', "ERR unknown command 'patient:42', with args beginning with: 'Jeanne'"))
    expect(isCacheError(error) && error.code).toBe('DRIVER_FAILURE')
    expect(error.message).toBe('[@cachette/valkey-glide] get failed: Redis replied ERR')
    expect((error.cause as Error).name).toBe('RequestError')
    expect(everything(error)).not.toMatch(/patient:42|Jeanne/)
  })

  it('maps GLIDE connection failures, timeouts and a closed client', () => {
    const connect = toDriverError('set', glideError('RequestError', 'Standalone connect failed - IoError: Received error for address `127.0.0.1:6379`: timed out'))
    expect(isCacheError(connect) && connect.code).toBe('DRIVER_FAILURE')
    expect(connect.message).toBe('[@cachette/valkey-glide] set failed: GLIDE connection error (IoError)')
    const timeout = toDriverError('get', glideError('TimeoutError', 'timed out'))
    expect(timeout.message).toBe('[@cachette/valkey-glide] get failed: GLIDE request timed out')
    const closed = toDriverError('get', glideError('ClosingError', 'Unable to execute requests; the client is closed.'))
    expect(isCacheError(closed) && closed.code).toBe('CLOSED')
  })
})
