import { DeadlineExceededError, DriverError, isCacheError } from '@cachette/core'
import { redisReplyError, replyErrorPrefix } from '@cachette/core/redis'
import { ErrorReply } from 'redis'

/**
 * Turns what node-redis rejects with into Cachette errors, without leaking data.
 *
 * Some Redis replies echo arguments ("ERR unknown command 'x', with args beginning with: ..."),
 * so neither the original message nor the original error object leaves this file: the message is
 * fixed text plus the reply's first word (WRONGTYPE, ERR, READONLY...), and the `cause` is a
 * sanitized copy that keeps the error's name and code.
 */

/** The package name the shared helpers of `@cachette/core/redis` put in their messages. */
export const DRIVER_NAME = '@cachette/redis'

/** node-redis error classes that describe a connection problem; none carries a key or a value. */
const CONNECTION_ERRORS = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'DisconnectsClientError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
  'RootNodesUnavailableError',
  'TimeoutError',
  'TimeoutReadError',
  'AbortError',
  'MaxCommandRedirectionsError',
])

/** True for a reply the server sent (node-redis `ErrorReply` and its subclasses). */
export function isReplyError(error: unknown): boolean {
  if (error instanceof ErrorReply) return true
  // A second copy of node-redis (a client handed in from another version) has its own class.
  for (let proto = error instanceof Error ? Object.getPrototypeOf(error) : null; proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true
  }
  return false
}

function safeMessage(error: Error): string {
  if (isReplyError(error)) return `Redis replied ${replyErrorPrefix(error.message) ?? 'an error'}`
  const name = error.constructor?.name ?? error.name
  if (CONNECTION_ERRORS.has(name)) return name
  // Socket errors: "connect ECONNREFUSED 127.0.0.1:6379", "read ECONNRESET".
  if (/^(connect|read|write) E[A-Z]+\b/.test(error.message)) return error.message
  return 'node-redis error'
}

/** A copy of `error` that keeps what helps diagnosis (name, code) and drops what may hold data. */
export function sanitizeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-Error rejection')
  const copy = new Error(safeMessage(error))
  copy.name = error.constructor?.name && error.constructor.name !== 'Error' ? error.constructor.name : error.name
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') Object.defineProperty(copy, 'code', { value: code, enumerable: true })
  return copy
}

/**
 * The Cachette error for a failed node-redis call. `operation` is the driver method (`'get'`,
 * `'batch'`...), never a key.
 */
export function toDriverError(operation: string, error: unknown): Error {
  if (isCacheError(error) || error instanceof DeadlineExceededError) return error as Error
  const cause = sanitizeError(error)
  if (isReplyError(error)) return redisReplyError(DRIVER_NAME, operation, (error as Error).message, { cause })
  return new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${cause.message}`, { cause })
}

/** `[@cachette/redis] <operation> failed: <reason>` as a DRIVER_FAILURE. */
export function driverFailure(operation: string, reason: string): DriverError {
  return new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${reason}`)
}
