import { DeadlineExceededError, DriverError, isCacheError } from '@cachette/core'
import { redisReplyError, replyErrorPrefix } from '@cachette/core/redis'

/**
 * Turns what GLIDE rejects with into Cachette errors, without leaking data.
 *
 * GLIDE rejects with `RequestError` both for a server's error reply ("WRONGTYPE: Operation
 * against...", "An error was signalled by the server: - ResponseError: value is not an
 * integer...") and for its own connection failures ("Standalone connect failed - IoError: ..."),
 * with `TimeoutError` when its `requestTimeout` passes and `ClosingError` once the client is
 * closed. Some server replies echo arguments, so no GLIDE message leaves this file: the message is
 * fixed text plus the reply's first word, and the `cause` is a sanitized copy keeping the name.
 */

/** The package name the shared helpers of `@cachette/core/redis` put in their messages. */
export const DRIVER_NAME = '@cachette/valkey-glide'

/** How a failed call failed: the server answered with an error, or it could not be reached. */
export type FailureKind = 'reply' | 'timeout' | 'connection' | 'closed'

// GLIDE wraps server errors in one of these forms; anything else is its own (connection) failure.
const SIGNALLED = 'An error was signalled by the server'
const REPLY_WORD = /^[A-Z][A-Z_]+(?::|\s)/

/** What kind of failure a GLIDE rejection is. */
export function failureKind(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'connection'
  // The driver's own errors (a batch refused before anything ran, a reply already classified):
  // only a failure of the connection itself makes the server count as down.
  if (isCacheError(error)) {
    if (error.code === 'DEADLINE_EXCEEDED') return 'timeout'
    if (error.code === 'CLOSED') return 'closed'
    return error.code === 'DRIVER_FAILURE' ? 'connection' : 'reply'
  }
  const name = error.constructor.name
  if (name === 'TimeoutError') return 'timeout'
  if (name === 'ClosingError') return 'closed'
  if (name === 'ConnectionError') return 'connection'
  if (error.message.startsWith(SIGNALLED)) return 'reply'
  if (REPLY_WORD.test(error.message) && !/^(IoError|Standalone|Cluster|Connection)/.test(error.message)) return 'reply'
  return 'connection'
}

/** The server's reply text inside a GLIDE message, for `redisReplyError`'s classification. */
function replyText(message: string): string {
  if (!message.startsWith(SIGNALLED)) return message
  // "An error was signalled by the server: - ResponseError: value is not an integer or out of range"
  const inner = message.slice(SIGNALLED.length).replace(/^:\s*-\s*/, '')
  return inner.replace(/^ResponseError:\s*/, 'ERR ')
}

function safeMessage(error: Error, kind: FailureKind): string {
  if (kind === 'reply') return `Redis replied ${replyErrorPrefix(replyText(error.message)) ?? 'an error'}`
  if (kind === 'timeout') return 'GLIDE request timed out'
  if (kind === 'closed') return 'the GLIDE client is closed'
  // "Standalone connect failed - IoError: Received error for address `127.0.0.1:6379`: timed out"
  // names an address, never a key; keep the kind of failure only.
  const io = /(IoError|Connection refused|timed out|Broken pipe|connection reset|Connection reset|FatalReceiveError|disconnected)/.exec(error.message)
  return io === null ? 'GLIDE connection error' : `GLIDE connection error (${io[1]})`
}

/** A copy of `error` that keeps what helps diagnosis (name, kind) and drops what may hold data. */
export function sanitizeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-Error rejection')
  const copy = new Error(safeMessage(error, failureKind(error)))
  copy.name = error.constructor.name
  return copy
}

/**
 * The Cachette error for a failed GLIDE call. `operation` is the driver method (`'get'`,
 * `'batch'`...), never a key.
 */
export function toDriverError(operation: string, error: unknown): Error {
  if (isCacheError(error) || error instanceof DeadlineExceededError) return error as Error
  const kind = failureKind(error)
  const cause = sanitizeError(error)
  if (kind === 'reply') return redisReplyError(DRIVER_NAME, operation, replyText((error as Error).message), { cause })
  if (kind === 'closed') return new DriverError('CLOSED', `[${DRIVER_NAME}] ${operation}: the GLIDE client is closed`, { cause })
  return new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${cause.message}`, { cause })
}
