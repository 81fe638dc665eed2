import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { ExportCaches } from './caches.js'
import type { Database } from './db/database.js'
import type { ExportService } from './export-service.js'
import type { PrometheusMetrics } from './metrics.js'
import { errorCode, logFailure, loggerOptions, logRequest, logRequests, type AppLogOptions } from './request-log.js'
import { registerCacheAdminRoutes } from './routes/cache-admin.js'
import { registerExportRoutes } from './routes/exports.js'
import { registerImportRoutes } from './routes/fhir-import.js'
import { registerMovementRoutes } from './routes/movements.js'
import { registerOperationRoutes } from './routes/operations.js'
import { registerStructureRoutes } from './routes/structures.js'

/** What the app is built from: a migrated database, the cache and the export service over both. */
export interface AppDependencies {
  /** The source of truth (PGlite or PostgreSQL), already migrated. */
  readonly db: Database
  /** The cache (createExportCaches). */
  readonly caches: ExportCaches
  /** The exports (createExportService over `db` and `caches.exports`). */
  readonly service: ExportService
  /** Serves `/metrics` when given; its meter must be the one the cache uses. @default none (404) */
  readonly metrics?: PrometheusMetrics
  /** The admin API's bearer token (`CACHE_ADMIN_TOKEN`). @default none: the admin routes answer 503 */
  readonly adminToken?: string | undefined
  /**
   * Fastify's logger: `true` logs to stdout, or give a pino destination stream (tests). Lines carry
   * route patterns and error codes, never URLs, bodies or database errors.
   * @default false
   */
  readonly logger?: boolean | AppLogOptions
}

/** What a client error (4xx) answers: a fixed text and Fastify's code, never the error's message (it can quote the request). */
const CLIENT_ERRORS: Readonly<Record<number, string>> = {
  400: 'Requête invalide',
  404: 'Route introuvable',
  413: 'Requête trop volumineuse',
  415: 'Type de contenu non pris en charge',
}

/**
 * The FHIR export service. Closing the app closes neither the database nor the cache (the caller owns them).
 *
 * @example
 * ```ts
 * const app = buildApp({ db, caches, service, metrics, adminToken: config.CACHE_ADMIN_TOKEN })
 * await app.listen({ port: 8000 })
 * ```
 */
export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(dependencies.logger),
    // Fastify's own request lines log full URLs: off, replaced by logRequests' one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // A malformed or too long URL: Fastify's own answer quotes the path, and no hook runs (logged here).
    frameworkErrors: (error, request, reply) => {
      void (reply as FastifyReply).code(400).send({ error: CLIENT_ERRORS[400], code: errorCode(error) })
      logRequest(request, reply as FastifyReply)
    },
  })
  // FHIR's JSON media type, for POST /fhir/import from FHIR tooling.
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'))
  logRequests(app)
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: CLIENT_ERRORS[404] }))
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    // Client errors keep their status and code; anything else is a 500 that says nothing about
    // patients. Neither the answer nor the log carries the error's message: database errors quote values.
    const status = error.statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ error: CLIENT_ERRORS[status] ?? 'Requête refusée', code: errorCode(error) })
    }
    logFailure(request.log, error)
    return reply.code(500).send({ error: 'Erreur serveur' })
  })
  const { db, caches, service } = dependencies
  registerExportRoutes(app, { service })
  registerMovementRoutes(app, { db, exports: caches.exports })
  registerStructureRoutes(app, { db, exports: caches.exports })
  registerImportRoutes(app, { db, exports: caches.exports })
  registerCacheAdminRoutes(app, { cache: caches.cache, token: dependencies.adminToken })
  registerOperationRoutes(app, { db, cache: caches.cache, metrics: dependencies.metrics })
  return app
}
