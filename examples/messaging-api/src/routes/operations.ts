import type { Cache } from '@cachette/core'
import type { Messaging } from '@cachette/messaging'
import type { FastifyInstance } from 'fastify'
import type { PrometheusMetrics } from '../metrics.js'

/**
 * Operations: `GET /health` (200 while the process serves; `degraded` when the store does not
 * answer, with the outbox depth) and `GET /metrics` (Prometheus text of the cache's metrics).
 *
 * @example
 * ```ts
 * registerOperationRoutes(app, { cache, messaging, metrics })
 * ```
 */
export function registerOperationRoutes(app: FastifyInstance, { cache, messaging, metrics }: { cache: Cache; messaging: Messaging; metrics: PrometheusMetrics | undefined }): void {
  app.get('/metrics', async (_request, reply) => {
    if (metrics === undefined) return reply.code(404).send({ error: 'Métriques désactivées' })
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render())
  })

  app.get('/health', async () => {
    const store = await cache.health()
    const stats = messaging.stats()
    // The store down does not make the service unhealthy: sends are queued, reads answer 503.
    return { ok: true, degraded: !store.ok, store, outbox: { depth: stats.outboxDepth, queued: stats.queued } }
  })
}
