import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import type { Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'

/** compareAndDelete and compareAndSet are scripts sent by SHA: a server that lost them (restart, SCRIPT FLUSH) gets them again. */
describe('scripts after SCRIPT FLUSH', () => {
  let server: RedisServerHandle
  let driver: Driver
  let admin: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    driver = ioredisDriver({ url: server.url })
    admin = new Redis(server.url)
  })
  afterAll(async () => {
    admin?.disconnect()
    await driver?.close()
    await server?.stop()
  })

  it('compareAndSet and compareAndDelete fall back to EVAL on NOSCRIPT, and bytes travel exactly', async () => {
    await driver.set('entry', '@cf claim', { ttlMs: 60_000 })
    await admin.script('FLUSH')
    expect(await driver.compareAndSet?.('entry', 'other', 'value', { ttlMs: 600_000 })).toBe(false)
    const bytes = new Uint8Array([0x40, 0x63, 0x31, 0x0a, 0xff, 0x00, 0x80])
    expect(await driver.compareAndSet?.('entry', '@cf claim', bytes, { ttlMs: 600_000 })).toBe(true)
    expect(await driver.getBytes('entry')).toEqual(bytes)
    expect(await driver.pttl('entry')).toBeGreaterThan(590_000)
    await admin.script('FLUSH')
    await driver.set('lock', 'owner')
    expect(await driver.compareAndDelete('lock', 'owner')).toBe(true)
  })
})
