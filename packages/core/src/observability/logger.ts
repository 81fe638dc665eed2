import type { CacheErrorCode } from '../errors.js'

/**
 * What a cache log line carries: the operation, the error code, the key's *label* (its template's
 * static head, e.g. `identity:patient`) and template. Never a value, never a key, never a parameter.
 */
export interface CacheLogFields {
  /** The cache operation: `get`, `set`, `getOrSet`, `has`, `invalidate`, `deletePattern`, `invalidateTags`, `close`. */
  readonly operation: string
  /** The stable error code (`DRIVER_FAILURE`, `DEADLINE_EXCEEDED`, `DECODE_FAILED`...). */
  readonly code: CacheErrorCode
  /** The metrics label of the key family (`identity:patient`), or the cache prefix for string keys. */
  readonly keyPrefix: string
  /** The key template (`patient:{id}`), absent for string keys. */
  readonly template?: string
  /** The driver's name (`memory`, `ioredis`...). */
  readonly driver: string
  /** The error's class name, when the failure came from an error (`DriverError`, `TypeError`...). */
  readonly errorName?: string
  /** With the default logger: how many identical lines were dropped since the last one. */
  readonly suppressed?: number
}

/**
 * Where the cache reports problems it absorbed (a store down, a corrupted entry). Only `warn`:
 * every absorbed failure is worth a look, none is fatal.
 *
 * @example
 * ```ts
 * createCache({ logger: { warn: (message, fields) => pino.warn(fields, message) } })
 * ```
 */
export interface CacheLogger {
  /**
   * Reports one absorbed problem: a message prefixed with `[@cachette/core]`, and fields that never hold a value or a key.
   *
   * @example
   * ```ts
   * logger.warn('[@cachette/core] cache get failed', {
   *   operation: 'get', code: 'DRIVER_FAILURE', keyPrefix: 'identity:patient', template: 'patient:{id}', driver: 'ioredis', errorName: 'DriverError',
   * })
   * ```
   */
  warn(message: string, fields: CacheLogFields): void
}

/**
 * The default logger: `console.warn`, at most one line per operation, code and key label every
 * `intervalMs`, so a store outage at 10,000 requests per second does not flood the logs; the next
 * line says how many were dropped.
 *
 * @param intervalMs minimum time between two identical lines. Default: 10 s.
 * @param now the time source, for tests. Default: `Date.now`.
 * @example
 * ```ts
 * createCache({ logger: rateLimitedConsoleLogger(60_000) })
 * ```
 */
export function rateLimitedConsoleLogger(intervalMs = 10_000, now: () => number = Date.now): CacheLogger {
  const last = new Map<string, { at: number; suppressed: number }>()
  return {
    warn(message, fields) {
      const id = `${fields.operation}|${fields.code}|${fields.keyPrefix}`
      const time = now()
      const seen = last.get(id)
      if (seen !== undefined && time - seen.at < intervalMs) {
        seen.suppressed++
        return
      }
      // Labels are bounded, but a misused label could still grow this map: cap it.
      if (last.size >= 1_000) last.clear()
      last.set(id, { at: time, suppressed: 0 })
      console.warn(message, seen !== undefined && seen.suppressed > 0 ? { ...fields, suppressed: seen.suppressed } : fields)
    },
  }
}
