import Fastify, { type FastifyInstance } from 'fastify'
import type { PrometheusMetrics } from './metrics.js'
import type { MessagingService } from './messaging-service.js'
import { registerConversationRoutes } from './routes/conversations.js'
import { statusOf } from './routes/http-support.js'
import { registerNotificationRoutes } from './routes/notifications.js'
import { registerOperationRoutes } from './routes/operations.js'
import { registerUserRoutes } from './routes/users.js'

/** What the app is built from. */
export interface AppDependencies {
  /** The cache, messaging and outbox (createMessagingService). */
  readonly service: MessagingService
  /** Serves `/metrics` when given; its meter must be the one the cache uses. @default none (404) */
  readonly metrics?: PrometheusMetrics
  /** Fastify's logger. @default false */
  readonly logger?: boolean
}

/** The text answered per status: fixed, never the error's message (it can quote a message's content). */
const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'Requête invalide',
  403: "Vous ne participez pas à cette conversation",
  404: 'Introuvable',
  500: 'Erreur serveur',
  503: 'Messagerie temporairement indisponible',
}

/**
 * The messaging service. Closing the app ends the event streams but closes neither the cache nor
 * the outbox (the caller owns them).
 *
 * @example
 * ```ts
 * const app = buildApp({ service: createMessagingService(), metrics })
 * await app.listen({ port: 8004 })
 * ```
 */
export function buildApp(dependencies: AppDependencies): FastifyInstance {
  // Event streams hold their connections open: closing the app ends them rather than waiting.
  // Fastify's request lines log full URLs (`/users/search?q=<a patient's name>`): off.
  const app = Fastify({ logger: dependencies.logger ?? false, disableRequestLogging: true, forceCloseConnections: true })
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Route introuvable' }))
  app.setErrorHandler((error, request, reply) => {
    const { status, code } = statusOf(error)
    if (status >= 500) request.log.warn({ code }, 'request failed')
    return reply.code(status).send({ error: ERROR_TEXT[status] ?? 'Requête refusée', code })
  })
  const { cache, messaging } = dependencies.service
  registerConversationRoutes(app, { messaging })
  registerUserRoutes(app, { messaging })
  registerNotificationRoutes(app, { messaging })
  registerOperationRoutes(app, { cache, messaging, metrics: dependencies.metrics })
  return app
}
