import { afterAll, beforeAll, describe, it } from 'vitest'
import type { Database } from '../src/db/database.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'
import { useApi } from './support/api-suite.js'
import { defineApiTests } from './support/api-tests.js'
import { appInstance, expectOneRowFromConcurrentCreations, failingDriver, newEtablissement } from './support/cache-outage.js'
import { defineHardeningTests } from './support/hardening-tests.js'

let db: Database

beforeAll(async () => {
  db = await pgliteDatabase()
  await migrate(db)
})

afterAll(async () => {
  await db?.close()
})

describe.each(['memory', 'redis'] as const)('patient API on PGlite, cache on %s', (store) => {
  const getApi = useApi(store, () => db)
  defineApiTests(getApi)
  defineHardeningTests(getApi)
})

describe('patient API on PGlite with the cache down (every driver call fails)', () => {
  it('40 concurrent POSTs of one person create one row; the 39 others get 409', async () => {
    const instance = await appInstance(db, failingDriver(), newEtablissement())
    try {
      await expectOneRowFromConcurrentCreations(db, [instance])
    } finally {
      await instance.close()
    }
  })
})
