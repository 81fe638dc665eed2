import { randomUUID } from 'node:crypto'
import { memoryDriver, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createAppCaches, type AppCaches } from '../src/caches.js'

// The same tests on the memory driver and on a real redis-server: what holds on one must hold on the other.
describe.each(['memory', 'redis'] as const)('professionals on %s', (store) => {
  let server: RedisServerHandle | undefined
  beforeAll(async () => {
    if (store === 'redis') server = await startRedisServer() // a free loopback port, never 6379
  })
  afterAll(() => server?.stop())

  let driver: Driver
  let caches: AppCaches
  const open = () => {
    driver = server === undefined ? memoryDriver() : ioredisDriver({ url: server.url })
    // A random establishment per test: its keys are its own on a shared redis-server (no FLUSHDB).
    caches = createAppCaches({ driver, etablissement: randomUUID(), env: false })
    return caches
  }
  afterEach(async () => {
    await caches.close()
    await driver.close()
  })

  test('a miss loads, a hit does not, an invalidation loads again', async () => {
    const { cache, professionals } = open()
    const id = Math.floor(Math.random() * 1e9) + 1 // the professional keys are not per establishment
    let loads = 0
    const load = async () => ({ id, nom: `KONE-${++loads}`, prenoms: 'Awa', specialite: 'cardiologie', etablissement_id: 'e1', actif: true })

    await professionals.getById(id, load)
    expect(await professionals.getById(id, load)).toMatchObject({ nom: 'KONE-1' })
    expect(await professionals.invalidate(id)).toBe(1)
    expect(await professionals.getById(id, load)).toMatchObject({ nom: 'KONE-2' })
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, deletes: 1 })
  })
})
