import type { Cache } from '@cachette/core'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../db/database.js'
import type { PrometheusMetrics } from '../metrics.js'

/**
 * Operations: Prometheus metrics and the service's health (the cache's own is the admin API's
 * `/api/cache/health`).
 *
 * @example
 * ```ts
 * registerOperationRoutes(app, { db, cache: caches.cache, metrics })
 * ```
 */
export function registerOperationRoutes(app: FastifyInstance, { db, cache, metrics }: { db: Database; cache: Cache; metrics: PrometheusMetrics | undefined }): void {
  app.get('/metrics', async (_request, reply) => {
    if (metrics === undefined) return reply.code(404).send({ error: 'Métriques désactivées' })
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render())
  })

  app.get('/health', async (_request, reply) => {
    const cacheHealth = await cache.health()
    const database = await db.query('SELECT 1').then(
      () => true,
      () => false,
    )
    // A cache outage degrades the service (every export is built); only the database being down makes it unhealthy.
    return reply.code(database ? 200 : 503).send({ ok: database, database, cache: cacheHealth })
  })
}
