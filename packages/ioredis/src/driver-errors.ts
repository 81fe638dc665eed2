import { DeadlineExceededError, DriverError, isCacheError } from '@cachette/core'
import { redisReplyError, replyErrorPrefix } from '@cachette/core/redis'

/**
 * Turns what ioredis rejects with into Cachette errors, without leaking data.
 *
 * ioredis attaches `command: { name, args }` to reply errors (args are keys and values), and
 * some Redis replies echo arguments ("ERR unknown command 'x', with args beginning with: ...").
 * So neither the original message nor the original error object leaves this file: the message
 * is fixed text plus the reply's first word (WRONGTYPE, ERR, READONLY, OOM...), and the `cause`
 * is a sanitized copy that keeps the error's name and code.
 */

/** The package name the shared helpers of `@cachette/core/redis` put in their messages. */
export const DRIVER_NAME = '@cachette/ioredis'

/** Messages ioredis produces itself for connection problems; none carries a key or a value. */
const CONNECTION_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'Command timed out',
  'Command aborted due to connection close',
  'None of startup nodes is available',
  'Cluster is ended.',
  'Failed to refresh slots cache.',
]

function safeMessage(error: Error): string {
  if (error.name === 'ReplyError') return `Redis replied ${replyErrorPrefix(error.message) ?? 'an error'}`
  if (CONNECTION_MESSAGES.includes(error.message)) return error.message
  // Socket errors: "connect ECONNREFUSED 127.0.0.1:6379", "Socket timeout. Expecting data...".
  if (/^(connect|read|write) E[A-Z]+\b/.test(error.message) || error.message.startsWith('Socket timeout')) return error.message
  if (error.message.startsWith('Reached the max retries per request limit')) return 'Reached the max retries per request limit'
  if (error.message.startsWith('Too many Cluster redirections')) return 'Too many Cluster redirections'
  return 'ioredis error'
}

/** A copy of `error` that keeps what helps diagnosis (name, code) and drops what may hold data. */
export function sanitizeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-Error rejection')
  const copy = new Error(safeMessage(error))
  copy.name = error.name
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') Object.defineProperty(copy, 'code', { value: code, enumerable: true })
  // The original stack is not copied: reading `error.stack` formats it, which costs ~100 µs under
  // a source-map-aware prepareStackTrace, and an outage makes this run for every call.
  return copy
}

/**
 * The Cachette error for a failed ioredis call. `operation` is the driver method (`'get'`,
 * `'batch'`...), never a key.
 */
export function toDriverError(operation: string, error: unknown): Error {
  if (isCacheError(error) || error instanceof DeadlineExceededError) return error as Error
  const cause = sanitizeError(error)
  // Only a server's reply is mapped by its text: ioredis' own messages are not Redis replies.
  if (error instanceof Error && error.name === 'ReplyError') return redisReplyError(DRIVER_NAME, operation, error.message, { cause })
  return new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${cause.message}`, { cause })
}
