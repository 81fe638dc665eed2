import type { CacheLogger } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { type OutboxEntry } from '@cachette/messaging'
import { fileOutbox } from '@cachette/messaging/file-outbox'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp } from './app.js'
import { configFromEnv, outboxPath } from './config.js'
import { createMessagingService } from './messaging-service.js'
import { createPrometheusMetrics } from './metrics.js'
import { startOutboxFlusher } from './outbox-flusher.js'

// The memory driver (and an in-memory outbox: that store cannot go down) unless REDIS_URL; on
// Redis, a durable outbox file that survives this process.
const config = configFromEnv(process.env)
const metrics = createPrometheusMetrics()
let log: FastifyBaseLogger | undefined
const logger: CacheLogger = { warn: (message, fields) => (log === undefined ? console.warn(message, fields) : log.warn(fields, message)) }
const redisUrl = config.REDIS_URL
const service =
  redisUrl === undefined
    ? createMessagingService({ meter: metrics.meter, logger })
    : createMessagingService({ driver: ioredisDriver({ url: redisUrl }), outbox: await fileOutbox<OutboxEntry>({ path: outboxPath(config) }), meter: metrics.meter, logger })
const app = buildApp({ service, metrics, logger: true })
log = app.log
// Entries left by a previous run (this process died while Redis was down) go out on the first tick.
const flusher = startOutboxFlusher({ cache: service.cache, messaging: service.messaging, intervalMs: config.OUTBOX_FLUSH_INTERVAL_MS, onError: () => app.log.warn('outbox flush stopped; retried on the next tick') })
const address = await app.listen({ port: config.PORT, host: config.HOST })
app.log.info(`messaging API on ${address} — store: ${service.driver.name}${redisUrl === undefined ? '' : `, outbox: ${outboxPath(config)} (${service.outbox.depth} queued)`}`)
app.log.info(`try: curl -X POST ${address}/conversations -H 'content-type: application/json' -d '{"type":"ordonnance","contextId":"15","doctorId":79,"patientId":5}'`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  app.log.info(`${signal}: shutting down`)
  await flusher.stop()
  await app.close()
  await service.close()
  await service.driver.close() // ours: the cache leaves a driver passed to it open
  await metrics.shutdown()
  process.exit(0)
}
process.once('SIGINT', () => void stop('SIGINT'))
process.once('SIGTERM', () => void stop('SIGTERM'))
