/** upstashDriverFromEnv and option validation: readable errors that never print a secret. */
import { InvalidOptionsError, type Driver } from '@cachette/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { upstashDriver, upstashDriverFromEnv } from '../src/index.js'
import { useUpstashServer } from './support/upstash-server.js'

const server = useUpstashServer()
const opened: Driver[] = []

afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(opened.splice(0).map((d) => d.close()))
})

function thrown(make: () => unknown): Error {
  try {
    make()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a throw')
}

describe('upstashDriverFromEnv', () => {
  it('connects with UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN from an env object', async () => {
    const d = upstashDriverFromEnv({ UPSTASH_REDIS_REST_URL: server().bridge.url, UPSTASH_REDIS_REST_TOKEN: server().bridge.token })
    opened.push(d)
    await d.set('env:k', '123')
    expect(await d.get('env:k')).toBe('123')
  })

  it('reads process.env when no env object is given, trimming stray whitespace', async () => {
    vi.stubEnv('UPSTASH_REDIS_REST_URL', ` ${server().bridge.url}\n`)
    vi.stubEnv('UPSTASH_REDIS_REST_TOKEN', server().bridge.token)
    const d = upstashDriverFromEnv(undefined, { timeoutMs: 2_000 })
    opened.push(d)
    await expect(d.ping()).resolves.toBeUndefined()
  })

  it('names every missing variable', () => {
    const both = thrown(() => upstashDriverFromEnv({}))
    expect(both).toBeInstanceOf(InvalidOptionsError)
    expect(both.message).toBe(
      '[@cachette/upstash] UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: copy them from the REST API section of your Upstash database',
    )
    const token = thrown(() => upstashDriverFromEnv({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io', UPSTASH_REDIS_REST_TOKEN: '  ' }))
    expect(token.message).toContain('UPSTASH_REDIS_REST_TOKEN is not set')
    expect(token.message).not.toContain('UPSTASH_REDIS_REST_URL')
  })

  it('refuses a URL that is not http(s) without printing either value', () => {
    const error = thrown(() => upstashDriverFromEnv({ UPSTASH_REDIS_REST_URL: 'redis://default:pw@host:6379', UPSTASH_REDIS_REST_TOKEN: 'tok-secret-9' }))
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error.message).toContain('UPSTASH_REDIS_REST_URL must be an http(s) URL')
    expect(error.message).not.toContain('pw@host')
    expect(error.message).not.toContain('tok-secret-9')
  })

  it('validates the other options it is given', () => {
    const error = thrown(() => upstashDriverFromEnv({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io', UPSTASH_REDIS_REST_TOKEN: 't' }, { timeoutMs: 0 }))
    expect(error.message).toMatch(/^\[@cachette\/upstash\] upstashDriver options are invalid: timeoutMs: /)
  })
})

describe('upstashDriver options', () => {
  it('lists every invalid field', () => {
    const error = thrown(() => upstashDriver({ url: 'ftp://x', token: '', retries: -1 }))
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error.message).toMatch(/^\[@cachette\/upstash\] upstashDriver options are invalid: /)
    expect(error.message).toContain('url: must be an http(s) URL')
    expect(error.message).toContain('token: must not be empty')
    expect(error.message).toContain('retries: ')
  })

  it('refuses unknown options and a missing form', () => {
    expect(thrown(() => upstashDriver({ url: 'https://x.upstash.io', token: 't', timeout: 5 } as never)).message).toContain('timeout')
    expect(thrown(() => upstashDriver(undefined as never))).toBeInstanceOf(InvalidOptionsError)
    expect(thrown(() => upstashDriver({ client: {} } as never)).message).toContain('client: must be an @upstash/redis Redis instance')
  })
})
