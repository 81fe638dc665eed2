import { createAdminHandler, type AdminHandler } from '@cachette/admin'
import type { Cache } from '@cachette/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * What the admin API may delete: the exports, and nothing else of the Redis database they share
 * with other services (and with the seed's Python service). `POST /api/cache/invalidate?pattern=*`
 * is a 400; `flush` deletes `fhir:export:*` only.
 */
export const ADMIN_NAMESPACES = ['fhir:export:'] as const

/** The admin API's base path: seed 002's. */
export const ADMIN_BASE_PATH = '/api/cache'

/** A Fastify request as the web-standard Request the admin handler takes (its routes read no body). */
function toRequest(request: FastifyRequest): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(new URL(request.url, 'http://localhost'), { method: request.method, headers })
}

async function send(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  return reply
    .code(response.status)
    .headers(Object.fromEntries(response.headers))
    .send(await response.text())
}

/**
 * Seed 002's cache management API under `/api/cache` (`stats`, `invalidate?pattern=`,
 * `flush?confirm=yes`, `health`) through `@cachette/admin`, behind the bearer token. Without a
 * token the routes are not open: every one answers 503 saying how to turn them on.
 *
 * @example
 * ```ts
 * registerCacheAdminRoutes(app, { cache: caches.cache, token: config.CACHE_ADMIN_TOKEN })
 * ```
 */
export function registerCacheAdminRoutes(app: FastifyInstance, { cache, token }: { cache: Cache; token: string | undefined }): void {
  const handler: AdminHandler | undefined =
    token === undefined
      ? undefined
      : createAdminHandler({
          cache,
          token,
          namespaces: [...ADMIN_NAMESPACES],
          basePath: ADMIN_BASE_PATH,
          // The audit trail (who deleted which patterns, how many keys) in the app's log.
          logger: { info: (message, fields) => app.log.info(fields, message), warn: (message, fields) => app.log.warn(fields, message) },
        })
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    if (handler === undefined) {
      return reply.code(503).send({ error: 'API d’administration du cache désactivée : définir CACHE_ADMIN_TOKEN (16 caractères au moins)', code: 'ADMIN_DISABLED' })
    }
    return send(reply, await handler(toRequest(request)))
  }
  app.all(ADMIN_BASE_PATH, serve)
  app.all(`${ADMIN_BASE_PATH}/*`, serve)
}
