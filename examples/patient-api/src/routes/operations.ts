import type { FastifyInstance } from 'fastify'
import type { AppCaches } from '../caches.js'
import type { Database } from '../db/database.js'
import type { PrometheusMetrics } from '../metrics.js'

/**
 * Operations: cache counters, Prometheus metrics, health.
 *
 * @example
 * ```ts
 * registerOperationRoutes(app, { db, caches, metrics })
 * ```
 */
export function registerOperationRoutes(app: FastifyInstance, { db, caches, metrics }: { db: Database; caches: AppCaches; metrics: PrometheusMetrics | undefined }): void {
  // The Cache counts every lookup, the patient cache's included (it runs on the cache's kit);
  // `patients` is the patient cache's own view (loads, warms, duplicate conflicts...).
  app.get('/cache/stats', async () => {
    const patients = caches.patients.stats()
    const cache = caches.cache.stats()
    const { hits, misses } = cache
    return {
      driver: caches.driver.name,
      enabled: caches.cache.enabled,
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
      patients,
      cache,
    }
  })

  app.get('/metrics', async (_request, reply) => {
    if (metrics === undefined) return reply.code(404).send({ error: 'Métriques désactivées' })
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render())
  })

  app.get('/health', async (_request, reply) => {
    const cache = await caches.cache.health()
    const database = await db.query('SELECT 1').then(
      () => true,
      () => false,
    )
    // A cache outage degrades the service; only the database being down makes it unhealthy.
    return reply.code(database ? 200 : 503).send({ ok: database, database, cache })
  })
}
