import { CacheError, DeadlineExceededError, DriverError, isCacheError } from '@cachette/core'
import { redisReplyError } from '@cachette/core/redis'

/*
 * Errors of the Upstash driver. @upstash/redis puts the whole command in its messages
 * ("ERR ..., command was: [\"set\",\"<key>\",\"<value>\"]"), so nothing of the client's message
 * is copied into ours: the Redis error is cut before the echo and kept only as a sanitized
 * `cause`, and our message names the operation and the reason. A Redis error reply is mapped to its
 * code by `redisReplyError` of `@cachette/core/redis`, as the ioredis driver maps it.
 */

/** The package name the shared helpers of `@cachette/core/redis` put in their messages. */
export const DRIVER_NAME = '@cachette/upstash'

const PREFIX = `[${DRIVER_NAME}]`

/** Every call after `close()`. */
export function closedError(operation: string): DriverError {
  return new DriverError('CLOSED', `${PREFIX} ${operation}: the driver is closed`)
}

/** What the client's error says once the command echo (keys, values) is cut off. */
function redisErrorText(message: string): string {
  let text = message
  // Pipelines: "Command 2 [ incr ] failed: ERR ..."; auto-pipeline: "Command failed: ERR ...".
  const failed = /^Command (?:\d+ \[ [^\]]* \] )?failed: /.exec(text)
  if (failed !== null) text = text.slice(failed[0].length)
  const echo = text.indexOf(', command was: ')
  if (echo !== -1) text = text.slice(0, echo)
  // Redis quotes the arguments of an unknown command.
  const args = text.indexOf(', with args beginning with:')
  if (args !== -1) text = text.slice(0, args)
  return text.length > 300 ? text.slice(0, 300) : text
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : ''
}

function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : ''
}

/** The Redis error text carried by a client error, or undefined when it is not a server answer. */
export function serverErrorText(error: unknown): string | undefined {
  return errorName(error) === 'UpstashError' ? redisErrorText(errorMessage(error)) : undefined
}

/**
 * Turns whatever the client threw into a Cachette error with a stable code: a deadline ->
 * DEADLINE_EXCEEDED, a refused token -> DRIVER_FAILURE saying so, a Redis error reply -> its code
 * (WRONG_TYPE, NOT_INTEGER... see `redisReplyError`), anything else -> DRIVER_FAILURE.
 */
export function toCacheError(operation: string, error: unknown, timeoutMs: number | undefined): CacheError {
  if (isCacheError(error)) return error
  const name = errorName(error)
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new DeadlineExceededError(`upstash ${operation}`, timeoutMs ?? 0, { cause: error })
  }
  if (name === 'UpstashJSONParseError') {
    // Its message quotes the response body, which can hold cached values: not kept.
    return new DriverError('DRIVER_FAILURE', `${PREFIX} ${operation}: the server's answer was not JSON`, { cause: new Error('unparseable response body') })
  }
  const text = serverErrorText(error)
  if (text === undefined) {
    return new DriverError('DRIVER_FAILURE', `${PREFIX} ${operation}: Upstash could not be reached`, { cause: error })
  }
  const cause = new Error(text)
  // An HTTP 401 ("Unauthorized") is not a Redis reply; WRONGPASS / NOAUTH / NOPERM are.
  if (/unauthori[sz]ed|WRONGPASS|NOAUTH|NOPERM/i.test(text)) {
    return new DriverError('DRIVER_FAILURE', `${PREFIX} ${operation}: the server refused the token`, { cause })
  }
  return redisReplyError(DRIVER_NAME, operation, text, { cause })
}
