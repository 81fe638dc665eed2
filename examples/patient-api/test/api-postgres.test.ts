import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/database.js'
import { postgresDatabase } from '../src/db/pg-database.js'
import { migrate } from '../src/db/schema.js'
import { useApi } from './support/api-suite.js'
import { defineApiTests } from './support/api-tests.js'
import { appInstance, expectOneRowFromConcurrentCreations, failingDriver, newEtablissement, type AppInstance } from './support/cache-outage.js'
import { defineHardeningTests } from './support/hardening-tests.js'
import { startPostgresServer, type PostgresServer } from './support/postgres-server.js'

let server: PostgresServer
let db: Database

beforeAll(async () => {
  server = await startPostgresServer()
  db = await postgresDatabase(server.url)
  await migrate(db)
})

afterAll(async () => {
  await db?.close()
  await server?.stop()
})

describe('a real PostgreSQL', () => {
  it("has the 'french' text search configuration behind search_vector", async () => {
    const { rows } = await db.query<{ v: string }>("SELECT to_tsvector('french', 'hôpitaux Élodie')::text AS v")
    expect(rows[0]?.v).toBe("'hôpital':1 'élod':2")
  })
})

describe.each(['memory', 'redis'] as const)('patient API on PostgreSQL, cache on %s', (store) => {
  const getApi = useApi(store, () => db)
  defineApiTests(getApi)
  defineHardeningTests(getApi)
})

describe('two app instances on one PostgreSQL, with the cache down', () => {
  // Two pools, as two processes of the service would have: their transactions really run concurrently
  // (READ COMMITTED: each one's duplicate check misses the other's uncommitted row).
  async function withTwoInstances(driverFor: () => Promise<{ driver: Parameters<typeof appInstance>[1]; outage: () => Promise<void>; cleanup: () => Promise<void> }>): Promise<void> {
    const otherDb = await postgresDatabase(server.url)
    const etablissement = newEtablissement()
    const instances: AppInstance[] = []
    const cleanups: (() => Promise<void>)[] = []
    try {
      for (const database of [db, otherDb]) {
        const { driver, outage, cleanup } = await driverFor()
        cleanups.push(cleanup)
        instances.push(await appInstance(database, driver, etablissement))
        await outage()
      }
      await expectOneRowFromConcurrentCreations(db, instances)
    } finally {
      for (const instance of instances) await instance.close()
      for (const cleanup of cleanups) await cleanup()
      await otherDb.close()
    }
  }

  it('drivers whose every call fails: 40 concurrent POSTs of one person create one row, 39 get 409', async () => {
    await withTwoInstances(async () => ({ driver: failingDriver(), outage: async () => undefined, cleanup: async () => undefined }))
  })

  it('the shared redis-server killed: 40 concurrent POSTs of one person create one row, 39 get 409', async () => {
    const redis = await startRedisServer()
    let killed = false
    await withTwoInstances(async () => ({
      driver: ioredisDriver({ url: redis.url }),
      outage: async () => {
        if (killed) return
        killed = true
        await redis.kill('SIGKILL')
      },
      cleanup: async () => undefined,
    }))
    await redis.stop()
  })

  it('the shared redis-server frozen (SIGSTOP): 40 concurrent POSTs of one person create one row, 39 get 409', async () => {
    const redis = await startRedisServer()
    let frozen = false
    try {
      await withTwoInstances(async () => ({
        driver: ioredisDriver({ url: redis.url }),
        outage: async () => {
          if (frozen) return
          frozen = true
          redis.freeze() // connections stay open, nothing answers: every lock call waits for its deadline
        },
        cleanup: async () => undefined,
      }))
    } finally {
      redis.thaw()
      await redis.stop()
    }
  })
})
