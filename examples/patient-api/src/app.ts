import Fastify, { type FastifyInstance } from 'fastify'
import type { AppCaches } from './caches.js'
import type { Database } from './db/database.js'
import type { PrometheusMetrics } from './metrics.js'
import { registerDirectoryRoutes } from './routes/directory.js'
import { registerOperationRoutes } from './routes/operations.js'
import { registerPatientRoutes } from './routes/patients.js'

/** What the app is built from: a migrated database and the caches. */
export interface AppDependencies {
  /** The source of truth (PGlite or PostgreSQL), already migrated. */
  readonly db: Database
  /** The caches (createAppCaches). */
  readonly caches: AppCaches
  /** This service's establishment id (creator of the patients it registers). */
  readonly etablissement: string
  /** Serves `/metrics` when given; its meter must be the one the caches use. @default none (404) */
  readonly metrics?: PrometheusMetrics
  /** Fastify's logger. @default false */
  readonly logger?: boolean
}

/**
 * The patient API. Closing the app closes neither the database nor the caches (the caller owns them).
 *
 * @example
 * ```ts
 * const app = buildApp({ db, caches, etablissement, metrics })
 * await app.listen({ port: 3000 })
 * ```
 */
export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const app = Fastify({
    logger:
      dependencies.logger === true
        ? {
            // Log the route pattern, never the URL: paths carry patient codes and search terms carry names.
            serializers: { req: (request: { method: string; routeOptions?: { url?: string } }) => ({ method: request.method, route: request.routeOptions?.url ?? '(unmatched)' }) },
          }
        : false,
  })
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    // Client errors (malformed JSON...) keep Fastify's answer; anything else is a 500 that says nothing
    // about patients: error messages can carry data.
    if (typeof error.statusCode === 'number' && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message })
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({ error: 'Erreur serveur' })
  })
  registerPatientRoutes(app, dependencies)
  registerDirectoryRoutes(app, dependencies)
  registerOperationRoutes(app, { ...dependencies, metrics: dependencies.metrics })
  return app
}
