import { createCache, isTombstone, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, patternQuery, randomPrefix, recordingLogger } from './support/fixtures.js'

let cluster: RedisClusterHandle
let driver: Driver
let masters: Redis[]

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 })
  driver = ioredisDriver({ cluster: cluster.nodes })
  masters = cluster.masters.map((node) => new Redis({ host: node.host, port: node.port, lazyConnect: true }))
})

afterAll(async () => {
  masters?.forEach((client) => client.disconnect())
  await driver?.close()
  await cluster?.stop()
})

/** Live keys below `start` on each master, read on the master itself (tombstones left by the fence are deleted entries). */
async function liveKeysPerMaster(start: string): Promise<number[]> {
  return Promise.all(
    masters.map(async (client) => {
      let cursor = '0'
      let live = 0
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${start}*`, 'COUNT', 1000)
        cursor = next
        for (const key of keys) {
          const value = await client.get(key)
          if (value !== null && !isTombstone(value)) live++
        }
      } while (cursor !== '0')
      return live
    }),
  )
}

describe('on a real 3-master Redis Cluster', () => {
  it('invalidate deletes matching keys on every master, and nothing outside the namespace', async () => {
    const ns = randomPrefix()
    const cache = createCache({ driver, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, namespaces: [`${ns}:fhir:export:`], logger })
    for (let ej = 0; ej < 60; ej++) {
      await driver.set(`${ns}:fhir:export:venues:ej:${ej}`, '{}')
      await driver.set(`${ns}:fhir:export:patients:ej:${ej}`, '{}')
      await driver.set(`${ns}:other-service:${ej}`, 'kept')
    }
    const before = await liveKeysPerMaster(`${ns}:fhir:export:venues:`)
    // The keys really are spread: every master holds some.
    expect(before.every((count) => count > 0)).toBe(true)
    expect(before.reduce((a, b) => a + b, 0)).toBe(60)

    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(`${ns}:fhir:export:venues:*`) }))
    expect(await bodyOf(response)).toEqual({ deleted: 60 })
    expect(await liveKeysPerMaster(`${ns}:fhir:export:venues:`)).toEqual([0, 0, 0])
    expect((await liveKeysPerMaster(`${ns}:fhir:export:patients:`)).reduce((a, b) => a + b, 0)).toBe(60)

    const star = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=*' }))
    expect(star.status).toBe(400)
    expect((await liveKeysPerMaster(`${ns}:other-service:`)).reduce((a, b) => a + b, 0)).toBe(60)
  })

  it('flush deletes the namespace on every master; stats sum INFO over the masters', async () => {
    const service = randomPrefix()
    const cache = createCache({ driver, prefix: service, env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    for (let id = 0; id < 90; id++) await cache.set(`patient:${id}`, { id })
    await driver.set(`${service}-other:1`, 'kept')
    expect((await liveKeysPerMaster(`${service}:`)).every((count) => count > 0)).toBe(true)

    const stats = await bodyOf(await admin(adminRequest('/stats')))
    expect(stats.keys).toBeGreaterThanOrEqual(91)
    expect(stats.total_connections).toBeGreaterThanOrEqual(3) // at least one client per master

    const response = await admin(adminRequest('/flush', { method: 'POST', query: 'confirm=yes' }))
    expect(await bodyOf(response)).toEqual({ deleted: 90 })
    expect(await liveKeysPerMaster(`${service}:`)).toEqual([0, 0, 0])
    expect(await driver.get(`${service}-other:1`)).toBe('kept')
  })
})
