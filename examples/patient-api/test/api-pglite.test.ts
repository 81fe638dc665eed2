import { afterAll, beforeAll, describe } from 'vitest'
import type { Database } from '../src/db/database.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'
import { useApi } from './support/api-suite.js'
import { defineApiTests } from './support/api-tests.js'

let db: Database

beforeAll(async () => {
  db = await pgliteDatabase()
  await migrate(db)
})

afterAll(async () => {
  await db?.close()
})

describe.each(['memory', 'redis'] as const)('patient API on PGlite, cache on %s', (store) => {
  defineApiTests(useApi(store, () => db))
})
