import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { AppCaches } from './caches.js'
import type { Database } from './db/database.js'
import type { PrometheusMetrics } from './metrics.js'
import { errorCode, logFailure, loggerOptions, logRequest, logRequests, type AppLogOptions } from './request-log.js'
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
  /**
   * Fastify's logger: `true` logs to stdout, or give a pino destination stream (tests). Whatever the
   * choice, lines carry route patterns and error codes, never URLs, bodies or database errors.
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
    logger: loggerOptions(dependencies.logger),
    // Fastify's own request lines (and its "Route GET:/patients?q=… not found") log full URLs:
    // off, replaced by logRequests' one redacted line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // A malformed or too long URL: Fastify's own answer quotes the path, and no hook runs (logged here).
    frameworkErrors: (error, request, reply) => {
      void (reply as FastifyReply).code(400).send({ error: CLIENT_ERRORS[400], code: errorCode(error) })
      logRequest(request, reply as FastifyReply)
    },
  })
  logRequests(app)
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: CLIENT_ERRORS[404] }))
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    // Client errors (malformed JSON, a body too large...) keep their status and code; anything else is
    // a 500 that says nothing about patients. Neither the answer nor the log carries the error's
    // message: database errors quote values (and PGlite's carry the query and its parameters).
    const status = error.statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ error: CLIENT_ERRORS[status] ?? 'Requête refusée', code: errorCode(error) })
    }
    logFailure(request.log, error)
    return reply.code(500).send({ error: 'Erreur serveur' })
  })
  registerPatientRoutes(app, dependencies)
  registerDirectoryRoutes(app, dependencies)
  registerOperationRoutes(app, { ...dependencies, metrics: dependencies.metrics })
  return app
}
