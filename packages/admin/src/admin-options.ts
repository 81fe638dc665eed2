import type { Cache } from '@cachette/core'
import { cacheKit, type CacheKit } from '@cachette/core/kit'
import * as z from 'zod'
import { MAX_TOKEN_LENGTH, customAuthenticator, tokenAuthenticator, type AdminAuthorize, type Authenticator } from './admin-auth.js'
import { consoleAdminLogger, type AdminLogger } from './admin-logger.js'
import { NamespaceScope } from './namespace-scope.js'
import { failOptions, functionValue, objectWith, optionProblems } from './option-support.js'

/**
 * The path the admin API is served under by default: seed 002's.
 *
 * @example
 * ```ts
 * createAdminHandler({ cache, token, basePath: DEFAULT_ADMIN_BASE_PATH }) // same as omitting it
 * ```
 */
export const DEFAULT_ADMIN_BASE_PATH = '/api/cache'

/**
 * Options of {@link createAdminHandler}. Give exactly one of `token` and `authorize`: the admin API
 * is never open.
 *
 * @example
 * ```ts
 * createAdminHandler({ cache, token: process.env.CACHE_ADMIN_TOKEN!, namespaces: ['fhir:export:'] })
 * ```
 */
export interface AdminHandlerOptions {
  /**
   * The cache to manage, from `createCache()`. Its prefix bounds every deletion: patterns are
   * relative to it, as in `cache.deletePattern`.
   *
   * @example
   * ```ts
   * createAdminHandler({ cache: createCache({ driver, prefix: 'identity' }), token })
   * ```
   */
  readonly cache: Cache
  /**
   * The shared secret callers send as `Authorization: Bearer <token>`: at least 16 characters
   * (letters, digits and `-._~+/`, `=` at the end, as a bearer token is written), at most 4096.
   * Kept only as its SHA-256 and compared in constant time; it never appears in a log line, a
   * response or an error message. Give this or `authorize`, not both.
   *
   * @default none (then `authorize` is required)
   * @example
   * ```ts
   * createAdminHandler({ cache, token: process.env.CACHE_ADMIN_TOKEN! })
   * ```
   */
  readonly token?: string
  /**
   * Your own check instead of a shared token (a session, a JWT, mTLS headers from your proxy).
   * Answer `true`, `{ who }` (logged with each destructive call), or `false`. A refusal is a 401
   * when the request has no `Authorization` header, a 403 otherwise; an `authorize` that throws
   * is a 500, and the request is refused. Give this or `token`, not both.
   *
   * @default none (then `token` is required)
   * @example
   * ```ts
   * createAdminHandler({
   *   cache,
   *   authorize: async (request) => {
   *     const user = await sessions.verify(request.headers.get('authorization'))
   *     return user?.roles.includes('cache-admin') ? { who: user.id } : false
   *   },
   * })
   * ```
   */
  readonly authorize?: AdminAuthorize
  /**
   * The path the routes are served under: `{basePath}/stats`, `/invalidate`, `/flush`, `/health`.
   * `'/'` serves them at the root (for a handler mounted under a path your framework strips).
   *
   * @default '/api/cache'
   * @example
   * ```ts
   * createAdminHandler({ cache, token, basePath: '/internal/cache' })
   * ```
   */
  readonly basePath?: string
  /**
   * Where invalidate and flush may delete, relative to the cache's prefix: a pattern must start
   * with one of these, written out before any glob character. End each with the separator
   * (`'fhir:export:'`, not `'fhir'`, which would also admit `fhirz…`). Required for a cache
   * without prefix, which would otherwise own every key of the database.
   *
   * @default everything below the cache's prefix (a cache with a prefix); required without one
   * @example
   * ```ts
   * createAdminHandler({ cache, token, namespaces: ['fhir:export:'] }) // the seed 002 exports only
   * ```
   */
  readonly namespaces?: readonly string[]
  /**
   * Where destructive calls are logged (`info`: who, which patterns, how many keys) and refused
   * requests and failures (`warn`). Never given a value or a credential.
   *
   * @default consoleAdminLogger(): console.info for the audit lines, rate-limited console.warn
   * @example
   * ```ts
   * createAdminHandler({ cache, token, logger: { info: (m, f) => log.info(f, m), warn: (m, f) => log.warn(f, m) } })
   * ```
   */
  readonly logger?: AdminLogger
}

/** The options once checked. */
export interface AdminConfig {
  readonly cache: Cache
  readonly kit: CacheKit
  /** `''` for the root, else `'/api/cache'` (no trailing slash). */
  readonly basePath: string
  readonly scope: NamespaceScope
  readonly authenticate: Authenticator
  readonly logger: AdminLogger
}

const WHERE = 'createAdminHandler'
// A bearer token as RFC 6750 writes it (token68): what can travel in the header unchanged.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/
const BASE_PATH = /^\/$|^(?:\/[A-Za-z0-9\-._~]+)+$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const optionsSchema = z.strictObject({
  cache: objectWith(['deletePattern', 'stats', 'health'], 'expected a cache from createCache()'),
  token: z
    .string({ message: 'expected a string' })
    .min(16, 'expected at least 16 characters')
    .max(MAX_TOKEN_LENGTH, `expected at most ${MAX_TOKEN_LENGTH} characters`)
    .regex(TOKEN68, "expected letters, digits and '-._~+/' (then '=' padding), as a bearer token is sent")
    .optional(),
  authorize: functionValue<AdminAuthorize>('expected a function (request) => boolean | { who }').optional(),
  basePath: z.string({ message: 'expected a string' }).regex(BASE_PATH, "expected '/' or a path such as '/api/cache' (starting with '/', no trailing '/', query or fragment)").optional(),
  namespaces: z
    .array(
      z
        .string({ message: 'expected a string' })
        .min(1, 'expected a non-empty namespace such as "fhir:export:"')
        .max(256, 'expected at most 256 characters')
        .refine((namespace) => !CONTROL.test(namespace), 'expected no control character'),
      { message: 'expected an array of namespaces' },
    )
    .min(1, 'expected at least one namespace')
    .max(64, 'expected at most 64 namespaces')
    .optional(),
  logger: objectWith(['info', 'warn'], 'expected a logger with info(message, fields) and warn(message, fields)').optional(),
})

/**
 * Checks the options once, with zod, then what zod cannot see (exactly one of token and authorize;
 * namespaces for a cache without prefix); throws one InvalidOptionsError listing every problem.
 */
export function resolveAdminOptions(options: AdminHandlerOptions): AdminConfig {
  const { data, problems } = optionProblems(optionsSchema, options)
  const raw = (typeof options === 'object' && options !== null ? options : {}) as Partial<Record<keyof AdminHandlerOptions, unknown>>
  if (raw.token === undefined && raw.authorize === undefined) problems.push('token or authorize is required: the admin API is never open')
  if (raw.token !== undefined && raw.authorize !== undefined) problems.push('token, authorize: give one of them, not both')

  let kit: CacheKit | undefined
  if (typeof raw.cache === 'object' && raw.cache !== null) {
    try {
      kit = cacheKit(raw.cache as Cache, { name: '@cachette/admin', label: 'admin' })
    } catch {
      if (!problems.some((problem) => problem.startsWith('cache:'))) problems.push('cache: expected a cache from createCache()')
    }
  }
  if (kit !== undefined && kit.keyPrefix === '' && raw.namespaces === undefined) {
    problems.push("namespaces: required for a cache without prefix, which would own every key of the database (e.g. namespaces: ['fhir:export:'])")
  }
  if (problems.length > 0 || data === undefined || kit === undefined) failOptions(WHERE, problems.length > 0 ? problems : ['cache: expected a cache from createCache()'])

  const basePath = data.basePath ?? DEFAULT_ADMIN_BASE_PATH
  return {
    cache: data.cache as Cache,
    kit,
    basePath: basePath === '/' ? '' : basePath,
    scope: new NamespaceScope(data.namespaces ?? ['']),
    authenticate: data.token !== undefined ? tokenAuthenticator(data.token) : customAuthenticator(data.authorize as AdminAuthorize),
    logger: (data.logger as AdminLogger | undefined) ?? consoleAdminLogger(),
  }
}
