import { safeLog } from './admin-logger.js'
import { resolveAdminOptions, type AdminConfig, type AdminHandlerOptions } from './admin-options.js'
import { failure } from './admin-responses.js'
import { ROUTES } from './admin-routes.js'

/**
 * A fetch-style handler: a web-standard `Request` in, a `Response` out. It never rejects (an
 * unexpected failure is a 500).
 */
export type AdminHandler = (request: Request) => Promise<Response>

const AUTH_MESSAGES = {
  UNAUTHENTICATED: 'authentication required: send Authorization: Bearer <token>',
  FORBIDDEN: 'these credentials may not use the cache admin API',
  AUTHORIZE_FAILED: 'authorization could not be checked',
} as const

/**
 * Seed 002's cache management API for any cache, as one fetch-style handler (web `Request` and
 * `Response` only: it mounts in Fastify, Hono, Express, Next.js route handlers, Deno and workers).
 * Under `basePath` (`/api/cache`):
 *
 * - `GET /stats`: the store's INFO in the seed's fields (`used_memory`, `keyspace_hits`, `hit_rate`...)
 *   and the cache's own counters under `cache`; 200 with the INFO fields null and `store_error`
 *   when the store cannot answer.
 * - `POST /invalidate?pattern=<glob>`: `cache.deletePattern(pattern)`, only inside the cache's
 *   namespaces (400 otherwise, never a wider delete); answers `{ deleted }`.
 * - `POST /flush?confirm=yes`: deletes every key of the cache's namespaces (by SCAN, never FLUSHDB).
 * - `GET /health`: `cache.health()`, 200 or 503 with its `error` code.
 *
 * Every route needs `Authorization: Bearer <token>` (401 without, 403 when wrong) or passes your
 * `authorize`. Every deletion is logged with who, the patterns and how many keys went.
 *
 * @throws InvalidOptionsError listing every invalid option (no token nor authorize, a short token,
 *   a cache without prefix and no `namespaces`...).
 * @example
 * ```ts
 * import { createAdminHandler } from '@cachette/admin'
 *
 * const admin = createAdminHandler({ cache, token: process.env.CACHE_ADMIN_TOKEN!, namespaces: ['fhir:export:'] })
 * // Next.js: app/api/cache/[...route]/route.ts
 * export const GET = admin
 * export const POST = admin
 * ```
 */
export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const config = resolveAdminOptions(options)
  return async (request) => {
    try {
      return await handle(config, request)
    } catch (error) {
      safeLog(config.logger, 'warn', '[@cachette/admin] request failed unexpectedly', {
        operation: 'request',
        status: 500,
        code: 'INTERNAL',
        keyPrefix: config.kit.keyPrefix,
        errorName: error instanceof Error ? error.name : typeof error,
      })
      return failure(500, 'internal error')
    }
  }
}

/** The route below the base path (`'/stats'`), or undefined outside it. One trailing slash is allowed. */
function routePath(basePath: string, pathname: string): string | undefined {
  if (basePath !== '' && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return undefined
  const rest = pathname.slice(basePath.length)
  return rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest
}

async function handle(config: AdminConfig, request: Request): Promise<Response> {
  const url = new URL(request.url)
  const path = routePath(config.basePath, url.pathname)
  // Outside the base path: not ours, and nothing to authenticate.
  if (path === undefined) return failure(404, 'not found')

  // Authentication comes before routing: without credentials, nothing below the base path is told apart.
  const auth = await config.authenticate(request)
  if (!auth.ok) {
    safeLog(config.logger, 'warn', `[@cachette/admin] request refused (${auth.status})`, {
      operation: 'auth',
      status: auth.status,
      code: auth.code,
      keyPrefix: config.kit.keyPrefix,
      ...(auth.errorName === undefined ? {} : { errorName: auth.errorName }),
    })
    return failure(auth.status, AUTH_MESSAGES[auth.code], auth.status === 401 ? { headers: { 'www-authenticate': 'Bearer realm="cache-admin"' } } : {})
  }

  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined
  if (route === undefined) return failure(404, 'not found: the routes are /stats, /invalidate, /flush and /health')
  if (request.method !== route.method) return failure(405, `method not allowed: use ${route.method}`, { headers: { allow: route.method } })
  return route.run({ config, url, who: auth.who })
}
