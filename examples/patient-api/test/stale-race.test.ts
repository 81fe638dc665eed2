import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppCachesOptions } from '../src/caches.js'
import type { Database } from '../src/db/database.js'
import { postgresDatabase } from '../src/db/pg-database.js'
import { migrate } from '../src/db/schema.js'
import { appInstance, newEtablissement, type AppInstance } from './support/cache-outage.js'
import { startPostgresServer, type PostgresServer } from './support/postgres-server.js'
import { runStaleRace, withLatency, type StaleRaceResult } from './support/stale-race.js'

let postgres: PostgresServer
let redis: RedisServerHandle
let db: Database
let writerDb: Database
let readerDb: Database

beforeAll(async () => {
  ;[postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()])
  db = await postgresDatabase(postgres.url)
  await migrate(db)
  // One pool per instance, as two processes of the service would have.
  writerDb = await postgresDatabase(postgres.url)
  readerDb = await postgresDatabase(postgres.url)
})

afterAll(async () => {
  for (const database of [writerDb, readerDb, db]) await database?.close()
  await redis?.stop()
  await postgres?.stop()
})

/** The reader's database answers 1 ms late (see withLatency): the race then shows in most rounds without the fence. */
const LATENCY_MS = 1

/**
 * Two app instances in this test process, each with its own ioredis connection, Cache and patient
 * cache (their own in-process flights and invalidation guard), over one redis-server and one
 * PostgreSQL: what two processes of the service share, and nothing they do not.
 */
async function raceBetweenInstances(fence: Pick<AppCachesOptions, 'fence'>): Promise<StaleRaceResult & { fencedWrites: number }> {
  const etablissement = newEtablissement()
  const instances: AppInstance[] = []
  try {
    const writer = await appInstance(writerDb, ioredisDriver({ url: redis.url }), etablissement, fence)
    instances.push(writer)
    const reader = await appInstance(withLatency(readerDb, LATENCY_MS), ioredisDriver({ url: redis.url }), etablissement, fence)
    instances.push(reader)
    const result = await runStaleRace({ writer, reader, db })
    return { ...result, fencedWrites: reader.caches.patients.stats().fencedWrites }
  } finally {
    for (const instance of instances) await instance.close()
  }
}

describe('two instances on one PostgreSQL and one redis-server (issue 11: cache-aside race)', () => {
  it('150 rounds of 5 concurrent PATCHes on one and 10 GET loops on the other: both agree with the database in every round (0 stale)', async () => {
    const result = await raceBetweenInstances({})
    expect(result.racingGets).toBeGreaterThan(result.rounds)
    expect(result.staleRounds).toBe(0)
    // The race did happen: loads that read before a commit were refused by the fence.
    expect(result.fencedWrites).toBeGreaterThan(0)
  }, 60_000)

  it('control: the same race with the fence off leaves instances serving the old row', async () => {
    const result = await raceBetweenInstances({ fence: false })
    expect(result.staleRounds).toBeGreaterThan(0)
  }, 60_000)
})
