import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { configFromEnv, outboxPath } from '../src/config.js'

describe('configuration from the environment', () => {
  it('defaults to port 8004 on loopback, the memory store, and an outbox file per port under the temp dir', () => {
    const config = configFromEnv({})
    expect(config).toMatchObject({ PORT: 8004, HOST: '127.0.0.1', OUTBOX_FLUSH_INTERVAL_MS: 2_000 })
    expect(config.REDIS_URL).toBeUndefined()
    expect(outboxPath(config)).toBe(`${tmpdir()}/cachette-messaging-api-8004.outbox`)
    expect(outboxPath(configFromEnv({ PORT: '9000' }))).not.toBe(outboxPath(config))
    expect(outboxPath(configFromEnv({ OUTBOX_PATH: '/var/lib/messaging/outbox.journal' }))).toBe('/var/lib/messaging/outbox.journal')
  })

  it('names an invalid variable without quoting its value; empty variables count as unset', () => {
    expect(() => configFromEnv({ REDIS_URL: 'not a url with secret' })).toThrow(/REDIS_URL/)
    expect(() => configFromEnv({ REDIS_URL: 'not a url with secret' })).not.toThrow(/secret/)
    expect(configFromEnv({ REDIS_URL: '', PORT: '' }).PORT).toBe(8004)
  })
})
