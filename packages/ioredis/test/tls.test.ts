import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError, type Driver } from '@cachette/core'
import { createTlsCertificates, startRedisSentinel, startRedisServer, type RedisSentinelHandle, type RedisServerHandle, type TlsCertificates } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'

// Real TLS: redis-server and a Sentinel group serving TLS only, with a throwaway CA. A plain
// connection to these ports gets nothing back, so every passing call here went through TLS.

async function failure(driver: Driver): Promise<unknown> {
  const started = performance.now()
  const error = await driver.get('k').then(() => undefined, (caught: unknown) => caught)
  expect(performance.now() - started).toBeLessThan(2_000)
  return error
}

async function roundTrip(driver: Driver): Promise<string | null> {
  const key = `tls:${Math.random().toString(36).slice(2)}`
  await driver.set(key, 'über TLS', { ttlMs: 60_000 })
  return driver.get(key)
}

describe('ioredisDriver over TLS (standalone)', () => {
  let server: RedisServerHandle
  let ca: string
  beforeAll(async () => {
    server = await startRedisServer({ tls: true })
    ca = server.tls?.ca ?? ''
  })
  afterAll(() => server.stop())

  it('connects with a rediss:// URL and the CA, and with host, port and tls', async () => {
    const byUrl = ioredisDriver({ url: server.url, tls: { ca } })
    const byHost = ioredisDriver({ host: '127.0.0.1', port: server.port, tls: { ca } })
    expect(await roundTrip(byUrl)).toBe('über TLS')
    expect(await roundTrip(byHost)).toBe('über TLS')
    await Promise.all([byUrl.close(), byHost.close()])
  })

  it('verifies the certificate: an untrusted CA fails the calls with a typed error, within the deadline', async () => {
    const untrusted = ioredisDriver({ url: server.url, deadlineMs: 300 }) // rediss:// alone: the system CAs
    const error = await failure(untrusted)
    expect(isCacheError(error)).toBe(true)
    await untrusted.close()
  })

  it('fails fast, typed, when the URL says redis:// to a TLS-only server', async () => {
    const plain = ioredisDriver({ url: `redis://127.0.0.1:${server.port}`, deadlineMs: 300 })
    expect(isCacheError(await failure(plain))).toBe(true)
    await plain.close()
  })
})

describe('ioredisDriver over TLS (through Sentinel)', () => {
  let group: RedisSentinelHandle
  let certificates: TlsCertificates
  beforeAll(async () => {
    certificates = createTlsCertificates()
    group = await startRedisSentinel({ replicas: 1, sentinels: 1, tls: certificates })
  })
  afterAll(() => group.stop())

  it('reaches the master over TLS with tls: { ca }', async () => {
    const driver = ioredisDriver({ sentinels: group.sentinels, name: group.masterName, tls: { ca: certificates.ca } })
    expect(await roundTrip(driver)).toBe('über TLS')
    await driver.close()
  })

  it('needs the flag the driver sets: ioredis alone, given tls, talks plain TCP to the master', async () => {
    const raw = new Redis({
      sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
      name: group.masterName,
      tls: { ca: certificates.ca },
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    })
    raw.on('error', () => undefined)
    await expect(raw.connect().then(() => raw.ping())).rejects.toThrow()
    raw.disconnect()
  })
})
