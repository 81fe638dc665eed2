import { memoryDriver, type CacheLogger, type Driver } from '@cachette/core'
import { ioredisDriverFromEnv } from '@cachette/ioredis'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp } from './app.js'
import { createExportCaches } from './caches.js'
import { configFromEnv, fhirBaseUrl, usesRedis } from './config.js'
import type { Database } from './db/database.js'
import { insertDemoData } from './db/demo-data.js'
import { postgresDatabase } from './db/pg-database.js'
import { pgliteDatabase } from './db/pglite-database.js'
import { migrate } from './db/schema.js'
import { createExportService } from './export-service.js'
import { createPrometheusMetrics } from './metrics.js'

// PGlite (embedded) unless DATABASE_URL; the memory driver unless REDIS_URL / REDIS_HOST.
const config = configFromEnv(process.env)
const db: Database = config.DATABASE_URL === undefined ? await pgliteDatabase(config.PGLITE_DATA_DIR) : await postgresDatabase(config.DATABASE_URL)
await migrate(db)
if (config.DEMO_DATA === 'true') await insertDemoData(db)

const driver: Driver = usesRedis(config) ? ioredisDriverFromEnv(process.env) : memoryDriver({ maxEntries: 10_000 })
const metrics = createPrometheusMetrics()
// The cache reports through the app's logger once it exists (the app is built from the cache).
let log: FastifyBaseLogger | undefined
const cacheLogger: CacheLogger = { warn: (message, fields) => (log === undefined ? console.warn(message, fields) : log.warn(fields, message)) }
const caches = createExportCaches({ driver, meter: metrics.meter, logger: cacheLogger })
const service = createExportService({ db, exports: caches.exports, baseUrl: fhirBaseUrl(config) })

const app = buildApp({ db, caches, service, metrics, adminToken: config.CACHE_ADMIN_TOKEN, logger: true })
log = app.log
const address = await app.listen({ port: config.PORT, host: config.HOST })
app.log.info(`FHIR export API on ${address} — database: ${db.kind}, cache: ${driver.name}`)
app.log.info(`try: curl ${address}/fhir/export/venues?ej=1 (twice), then curl -s ${address}/metrics | grep fhir_export_duration_count`)
if (config.CACHE_ADMIN_TOKEN === undefined) app.log.warn('CACHE_ADMIN_TOKEN is not set: the admin API (/api/cache/*) answers 503')

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  app.log.info(`${signal}: shutting down`)
  await app.close()
  await caches.close()
  await driver.close() // ours: the cache leaves a driver passed to it open
  await metrics.shutdown()
  await db.close()
  process.exit(0)
}
process.once('SIGINT', () => void stop('SIGINT'))
process.once('SIGTERM', () => void stop('SIGTERM'))
