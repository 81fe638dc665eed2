import { afterAll, beforeAll } from 'vitest'
import { postgresDatabase } from '../src/db/pg-database.js'
import { defineSuites } from './support/suites.js'
import { startPostgresServer, type PostgresServer } from './support/postgres-server.js'

let server: PostgresServer
let databases = 0

beforeAll(async () => {
  server = await startPostgresServer()
})

afterAll(async () => {
  await server?.stop()
})

// One PostgreSQL for the file, a database of its own per describe block.
defineSuites('PostgreSQL', async () => {
  const name = `fhir_export_${++databases}`
  const admin = await postgresDatabase(server.url, 1)
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.close()
  }
  return postgresDatabase(server.url.replace(/\/postgres$/, `/${name}`))
})
