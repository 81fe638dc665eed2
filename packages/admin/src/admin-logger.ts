import { rateLimitedConsoleLogger, type CacheLogFields } from '@cachette/core'

/** What the admin API does, as named in its log lines. */
export type AdminOperation = 'stats' | 'invalidate' | 'flush' | 'health' | 'auth' | 'request'

/**
 * What an admin log line carries: who, what, how many keys. Never a cached value, never a
 * credential; a pattern only once the caller was authenticated and the pattern was accepted.
 */
export interface AdminLogFields {
  /** The endpoint or step: `invalidate`, `flush`, `auth` (a refused request), `request` (an unexpected failure). */
  readonly operation: AdminOperation
  /** The HTTP status answered. */
  readonly status: number
  /** Who called: `'token'` with the shared token, or the `who` returned by `authorize`. Absent when refused. */
  readonly who?: string
  /** The store globs deleted, relative to the cache's prefix (invalidate: the pattern; flush: one per namespace). */
  readonly patterns?: readonly string[]
  /** The cache's key prefix (`'identity:'`, `''` without one), to tell two caches' admin APIs apart. */
  readonly keyPrefix: string
  /** How many keys were deleted. */
  readonly deleted?: number
  /** Why it failed: a CacheError code (`DRIVER_FAILURE`, `DEADLINE_EXCEEDED`, `CLOSED`...) or `UNAUTHENTICATED`, `FORBIDDEN`, `AUTHORIZE_FAILED`, `INTERNAL`. */
  readonly code?: string
  /** The error's class name, when a failure came from an error. */
  readonly errorName?: string
  /** With the default logger: how many identical warnings were dropped since the last one. */
  readonly suppressed?: number
}

/**
 * Where the admin API reports: `info` for every destructive call that went through (the audit
 * trail: who deleted what, how many keys), `warn` for refused requests and failures. Messages
 * start with `[@cachette/admin]`; fields never hold a value or a credential. `console` fits, and
 * so does a pino or winston logger wrapped to take `(message, fields)`.
 *
 * @example
 * ```ts
 * createAdminHandler({ cache, token, logger: { info: (message, fields) => pino.info(fields, message), warn: (message, fields) => pino.warn(fields, message) } })
 * ```
 */
export interface AdminLogger {
  /**
   * One destructive call that went through: who, which patterns, how many keys.
   *
   * @example
   * ```ts
   * logger.info('[@cachette/admin] invalidate', { operation: 'invalidate', status: 200, who: 'token', patterns: ['fhir:export:venues:*'], keyPrefix: '', deleted: 12 })
   * ```
   */
  info(message: string, fields: AdminLogFields): void
  /**
   * A refused request (401, 403) or a failure (the store down during an invalidation, an `authorize` that threw).
   *
   * @example
   * ```ts
   * logger.warn('[@cachette/admin] request refused: wrong credentials', { operation: 'auth', status: 403, code: 'FORBIDDEN', keyPrefix: 'identity:' })
   * ```
   */
  warn(message: string, fields: AdminLogFields): void
}

/**
 * The default admin logger. Every `info` line goes to `console.info`: it is the audit trail of
 * destructive calls, made by authenticated callers, and a dropped line would hide who deleted
 * what. Warnings go to `console.warn` at most once per operation, status and code every
 * `intervalMs` (the next line says how many were dropped), as core's `rateLimitedConsoleLogger`
 * does: anyone who can reach the endpoint can send refused requests, and must not flood the logs.
 *
 * @param intervalMs minimum time between two identical warnings. Default: 10 s.
 * @param now the time source, for tests. Default: `Date.now`.
 * @example
 * ```ts
 * createAdminHandler({ cache, token, logger: consoleAdminLogger(60_000) })
 * ```
 */
export function consoleAdminLogger(intervalMs = 10_000, now: () => number = Date.now): AdminLogger {
  // Warnings go through core's rate limiter (one line per operation and code per interval, with
  // the count of those dropped); audit lines are never dropped.
  const warnings = rateLimitedConsoleLogger(intervalMs, now)
  return {
    info(message, fields) {
      console.info(message, fields)
    },
    warn(message, fields) {
      warnings.warn(message, fields as unknown as CacheLogFields)
    },
  }
}

/** Calls the logger without letting a logger that throws fail the request (the deletion already happened). */
export function safeLog(logger: AdminLogger, level: 'info' | 'warn', message: string, fields: AdminLogFields): void {
  try {
    logger[level](message, fields)
  } catch {
    // A broken logger must not turn a completed deletion into a 500.
  }
}
