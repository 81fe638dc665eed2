import { memoryDriver, type CacheLogger, type Driver } from '@cachette/core'
import type { FastifyBaseLogger } from 'fastify'
import { ioredisDriverFromEnv } from '@cachette/ioredis'
import { buildApp } from './app.js'
import { createAppCaches } from './caches.js'
import { configFromEnv, configWarnings } from './config.js'
import type { Database } from './db/database.js'
import { insertDemoData } from './db/demo-data.js'
import { postgresDatabase } from './db/pg-database.js'
import { pgliteDatabase } from './db/pglite-database.js'
import { migrate } from './db/schema.js'
import { createPrometheusMetrics } from './metrics.js'

// PGlite (embedded) unless DATABASE_URL; the memory driver unless REDIS_URL / REDIS_HOST.
const config = configFromEnv(process.env)
const db: Database = config.DATABASE_URL === undefined ? await pgliteDatabase(config.PGLITE_DATA_DIR) : await postgresDatabase(config.DATABASE_URL)
await migrate(db)

const driver: Driver = config.REDIS_URL !== undefined || config.REDIS_HOST !== undefined ? ioredisDriverFromEnv(process.env) : memoryDriver({ maxEntries: 100_000 })
const metrics = createPrometheusMetrics()
// The caches report through the app's logger once it exists (it is built from the caches).
let log: FastifyBaseLogger | undefined
const cacheLogger: CacheLogger = { warn: (message, fields) => (log === undefined ? console.warn(message, fields) : log.warn(fields, message)) }
const caches = createAppCaches({
  driver,
  etablissement: config.ETABLISSEMENT_ID,
  meter: metrics.meter,
  storage: config.PATIENT_CACHE_STORAGE,
  lockSecret: config.PATIENT_LOCK_SECRET,
  logger: cacheLogger,
})
if (config.DEMO_DATA === 'true') await insertDemoData(db, config.ETABLISSEMENT_ID, (identity) => caches.patients.identityFingerprint(identity))

const app = buildApp({ db, caches, etablissement: config.ETABLISSEMENT_ID, metrics, logger: true })
log = app.log
for (const warning of configWarnings(config)) app.log.warn(warning)
const address = await app.listen({ port: config.PORT, host: config.HOST })
app.log.info(`patient API on ${address} — database: ${db.kind}, cache: ${driver.name}, patient storage: ${caches.patients.storage}`)
app.log.info(`try: curl ${address}/patients/CI-20250108-00001 (twice), then curl ${address}/cache/stats`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  app.log.info(`${signal}: shutting down`)
  await app.close()
  await caches.close()
  await driver.close() // ours: the caches leave a driver passed to them open
  await metrics.shutdown()
  await db.close()
  process.exit(0)
}
process.once('SIGINT', () => void stop('SIGINT'))
process.once('SIGTERM', () => void stop('SIGTERM'))
