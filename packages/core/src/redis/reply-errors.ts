import { DriverError, type CacheErrorOptions } from '../errors.js'

/*
 * Redis error replies mapped to stable codes. Some replies echo the command's arguments ("ERR
 * unknown command 'x', with args beginning with: ..."), which are keys and values: nothing of the
 * reply's text goes into a message but its first word (ERR, WRONGTYPE, READONLY, OOM...).
 */

const REPLY_PREFIX = /^([A-Z][A-Z_]+)\b/
// Redis 7 replies WRONGTYPE from inside a script as it is; Redis 6 wraps it:
// "ERR Error running script (call to f_…): @user_script:1: WRONGTYPE Operation against…".
const WRONG_TYPE = /(?:^|: )WRONGTYPE\b/
// "value is not an integer or out of range", "hash value is not an integer",
// "increment or decrement would overflow".
const NOT_INTEGER = /not an integer|increment or decrement would overflow/

/**
 * The first word of a Redis error reply, the upper-case token that says what kind of error it is
 * (`WRONGTYPE`, `ERR`, `NOSCRIPT`...), or undefined when the text starts otherwise.
 *
 * @example
 * ```ts
 * import { replyErrorPrefix } from '@cachette/core/redis'
 *
 * replyErrorPrefix('WRONGTYPE Operation against a key holding the wrong kind of value') // 'WRONGTYPE'
 * ```
 */
export function replyErrorPrefix(text: string): string | undefined {
  return REPLY_PREFIX.exec(text)?.[1]
}

/**
 * The Cachette error for a Redis error reply: `WRONG_TYPE` for WRONGTYPE (inside a script too),
 * `NOT_INTEGER` for "not an integer" / "would overflow", `CROSS_SLOT` for CROSSSLOT, and
 * `DRIVER_FAILURE` naming only the reply's first word for anything else. `text` is the reply as
 * the server sent it; it never reaches the message. Keep a sanitized copy as `options.cause`.
 *
 * @example
 * ```ts
 * import { redisReplyError } from '@cachette/core/redis'
 *
 * const error = redisReplyError('@cachette/ioredis', 'hset', reply.message, { cause: sanitized })
 * error.code // 'WRONG_TYPE' for "WRONGTYPE Operation against a key holding the wrong kind of value"
 * ```
 */
export function redisReplyError(driver: string, operation: string, text: string, options?: CacheErrorOptions): DriverError {
  const prefix = replyErrorPrefix(text)
  if (WRONG_TYPE.test(text)) return new DriverError('WRONG_TYPE', `[${driver}] ${operation}: the key holds another type (WRONGTYPE)`, options)
  if (NOT_INTEGER.test(text)) return new DriverError('NOT_INTEGER', `[${driver}] ${operation}: the value is not an integer or would overflow`, options)
  if (prefix === 'CROSSSLOT') return new DriverError('CROSS_SLOT', `[${driver}] ${operation}: keys hash to different cluster slots (CROSSSLOT)`, options)
  return new DriverError('DRIVER_FAILURE', `[${driver}] ${operation} failed: Redis replied ${prefix ?? 'an error'}`, options)
}
