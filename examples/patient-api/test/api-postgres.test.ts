import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/database.js'
import { postgresDatabase } from '../src/db/pg-database.js'
import { migrate } from '../src/db/schema.js'
import { useApi } from './support/api-suite.js'
import { defineApiTests } from './support/api-tests.js'
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
  defineApiTests(useApi(store, () => db))
})
