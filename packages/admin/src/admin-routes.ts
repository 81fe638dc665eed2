import { isCacheError } from '@cachette/core'
import { safeLog } from './admin-logger.js'
import type { AdminConfig } from './admin-options.js'
import { failure, json, type AdminDeletedBody } from './admin-responses.js'
import { statsBody } from './admin-stats.js'
import { MAX_PATTERN_BYTES, patternProblem, queryParam } from './request-input.js'

/** One authenticated request to a route. */
export interface RouteContext {
  readonly config: AdminConfig
  readonly url: URL
  /** Who the authentication said called. */
  readonly who: string
}

/** A route: the one method it answers, and what it does. */
export interface Route {
  readonly method: 'GET' | 'POST'
  run(context: RouteContext): Promise<Response>
}

/** What `flush` wants in `confirm`. */
export const FLUSH_CONFIRMATION = 'yes'

const DISABLED = 'the cache is disabled (enabled: false / CACHE_ENABLED=false): nothing was deleted, and entries still in the store will be served again once it is enabled'

/** `GET …/stats`: seed 002's INFO fields and the cache's counters; 200 even when the store cannot answer (INFO fields null). */
async function stats({ config }: RouteContext): Promise<Response> {
  const { kit, cache } = config
  if (!kit.enabled) return json(200, statsBody(false, undefined, cache.stats()))
  try {
    // Through the kit: the cache's deadline and circuit breaker bound it, a failure is counted and logged by the cache.
    const info = await kit.call('health', (driver) => driver.info())
    return json(200, statsBody(true, info, cache.stats()))
  } catch (error) {
    return json(200, statsBody(true, undefined, cache.stats(), isCacheError(error) ? error.code : 'DRIVER_FAILURE'))
  }
}

/** `GET …/health`: `cache.health()` as it is; 503 when it is not ok (its `error` says why). */
async function health({ config }: RouteContext): Promise<Response> {
  const report = await config.cache.health()
  return json(report.ok ? 200 : 503, report)
}

/**
 * Deletes `patterns` (relative to the cache's prefix) one after the other through
 * `cache.deletePattern` (SCAN per master, never KEYS), then logs who deleted what and how many.
 */
async function deleteAll(context: RouteContext, operation: 'invalidate' | 'flush', patterns: readonly string[]): Promise<Response> {
  const { config, who } = context
  const fields = { operation, who, patterns, keyPrefix: config.kit.keyPrefix }
  let deleted = 0
  try {
    for (const pattern of patterns) deleted += await config.cache.deletePattern(pattern)
  } catch (error) {
    if (!isCacheError(error)) throw error
    safeLog(config.logger, 'warn', `[@cachette/admin] ${operation} failed: the store did not complete it`, { ...fields, status: 503, deleted, code: error.code, errorName: error.name })
    return failure(503, `the store did not complete the ${operation}; keys deleted before the failure stay deleted, retry it`, { code: error.code })
  }
  safeLog(config.logger, 'info', `[@cachette/admin] ${operation}`, { ...fields, status: 200, deleted })
  const body: AdminDeletedBody = { deleted }
  return json(200, body)
}

/** `POST …/invalidate?pattern=…`: one glob, inside the cache's namespaces. */
async function invalidate(context: RouteContext): Promise<Response> {
  const { config, url } = context
  const read = queryParam(url, 'pattern', MAX_PATTERN_BYTES)
  if (!read.ok) return failure(400, read.error)
  const pattern = read.value
  const problem = patternProblem(pattern)
  if (problem !== undefined) return failure(400, problem)
  if (!config.scope.admits(pattern as string)) {
    return failure(400, `the pattern must start with one of this cache's namespaces, written out before any glob character (*, ?, [): ${config.scope.namespaces.map((namespace) => JSON.stringify(namespace)).join(', ')}`)
  }
  if (!config.kit.enabled) return failure(409, DISABLED)
  return deleteAll(context, 'invalidate', [pattern as string])
}

/** `POST …/flush?confirm=yes`: every key of the cache's namespaces. */
async function flush(context: RouteContext): Promise<Response> {
  const { config, url } = context
  const read = queryParam(url, 'confirm', 16)
  if (!read.ok) return failure(400, read.error)
  if (read.value !== FLUSH_CONFIRMATION) return failure(400, `flush deletes every key of this cache's namespaces: confirm it with confirm=${FLUSH_CONFIRMATION}`)
  if (!config.kit.enabled) return failure(409, DISABLED)
  return deleteAll(context, 'flush', config.scope.flushPatterns())
}

/** The routes below the base path. */
export const ROUTES: Readonly<Record<string, Route>> = Object.freeze({
  '/stats': { method: 'GET', run: stats },
  '/invalidate': { method: 'POST', run: invalidate },
  '/flush': { method: 'POST', run: flush },
  '/health': { method: 'GET', run: health },
})
