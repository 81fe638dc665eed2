import type { BatchCommand, DriverValue, ScoreBound, ZRangeOptions } from '../driver/driver.js'
import { DriverError, InvalidOptionsError } from '../errors.js'

/*
 * Arguments Redis would refuse, refused before a round trip and with the same codes as the memory
 * driver, so a caller sees one behaviour whatever the store: INVALID_OPTIONS for a bad TTL, value,
 * score, bound or limit, NOT_INTEGER for an increment that is not an exact integer. `driver` is the
 * package that calls (`'@cachette/ioredis'`), `operation` the driver method; the message names
 * both and the reason, never the argument itself.
 */

/**
 * The error for an argument Redis itself would refuse: an `InvalidOptionsError` (code
 * `INVALID_OPTIONS`) whose message is `[<driver>] <operation>: <reason>`.
 *
 * @example
 * ```ts
 * import { invalidArgumentError } from '@cachette/core/redis'
 *
 * throw invalidArgumentError('@cachette/upstash', 'batch', "unknown op 'append'")
 * ```
 */
export function invalidArgumentError(driver: string, operation: string, reason: string): InvalidOptionsError {
  return new InvalidOptionsError(`[${driver}] ${operation}: ${reason}`)
}

/**
 * Refuses a TTL that SET PX would refuse ("invalid expire time"): anything but an integer >= 1.
 *
 * @example
 * ```ts
 * import { checkTtl } from '@cachette/core/redis'
 *
 * if (options?.ttlMs !== undefined) checkTtl('@cachette/ioredis', 'set', options.ttlMs)
 * ```
 */
export function checkTtl(driver: string, operation: string, ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw invalidArgumentError(driver, operation, 'ttlMs must be an integer >= 1')
}

/**
 * Refuses a PEXPIRE TTL that is not an integer. Zero and negative TTLs are accepted: Redis deletes
 * the key, and so does the memory driver.
 *
 * @example
 * ```ts
 * import { checkExpire } from '@cachette/core/redis'
 *
 * checkExpire('@cachette/ioredis', 'pexpire', ttlMs)
 * ```
 */
export function checkExpire(driver: string, operation: string, ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs)) throw invalidArgumentError(driver, operation, 'ttlMs must be an integer')
}

/**
 * Refuses a value that is neither a string nor bytes.
 *
 * @example
 * ```ts
 * import { checkValue } from '@cachette/core/redis'
 *
 * checkValue('@cachette/ioredis', 'set', value)
 * ```
 */
export function checkValue(driver: string, operation: string, value: DriverValue): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw invalidArgumentError(driver, operation, 'value must be a string or a Uint8Array')
}

/**
 * Refuses an INCRBY / HINCRBY increment that is not an exact integer (a fraction, or a number past
 * 2^53 that no longer is one) with a `DriverError` of code `NOT_INTEGER`, as Redis answers "value is
 * not an integer or out of range".
 *
 * @example
 * ```ts
 * import { checkIncrement } from '@cachette/core/redis'
 *
 * checkIncrement('@cachette/upstash', 'incrby', by)
 * ```
 */
export function checkIncrement(driver: string, operation: string, by: number): void {
  if (!Number.isSafeInteger(by)) throw new DriverError('NOT_INTEGER', `[${driver}] ${operation}: the increment is not an integer`)
}

/**
 * Refuses a sorted-set score that is not a number, or is NaN (Redis: "value is not a valid float").
 * Infinities are valid scores.
 *
 * @example
 * ```ts
 * import { checkScore } from '@cachette/core/redis'
 *
 * for (const entry of entries) checkScore('@cachette/ioredis', 'zadd', entry.score)
 * ```
 */
export function checkScore(driver: string, operation: string, score: number): void {
  if (typeof score !== 'number' || Number.isNaN(score)) throw invalidArgumentError(driver, operation, 'a score must be a number, not NaN')
}

/**
 * Refuses a range bound that is not a number, `'-inf'`, `'+inf'` or `{ exclusive: number }` (NaN
 * included, inside `exclusive` too).
 *
 * @example
 * ```ts
 * import { checkBound } from '@cachette/core/redis'
 *
 * checkBound('@cachette/ioredis', 'zremRangeByScore', min)
 * ```
 */
export function checkBound(driver: string, operation: string, bound: ScoreBound): void {
  const valid =
    bound === '-inf' ||
    bound === '+inf' ||
    (typeof bound === 'number' && !Number.isNaN(bound)) ||
    (typeof bound === 'object' && bound !== null && typeof bound.exclusive === 'number' && !Number.isNaN(bound.exclusive))
  if (!valid) throw invalidArgumentError(driver, operation, 'a score bound must be a number, -inf, +inf or { exclusive: number }')
}

/**
 * Refuses a LIMIT offset or count that is not an integer.
 *
 * @example
 * ```ts
 * import { checkRange } from '@cachette/core/redis'
 *
 * checkRange('@cachette/ioredis', 'zrangeByScore', { offset: 20, limit: 20 })
 * ```
 */
export function checkRange(driver: string, operation: string, options: ZRangeOptions | undefined): void {
  const offset = options?.offset
  const limit = options?.limit
  if ((offset !== undefined && !Number.isSafeInteger(offset)) || (limit !== undefined && !Number.isSafeInteger(limit))) {
    throw invalidArgumentError(driver, operation, 'offset and limit must be integers')
  }
}

/** Every op a {@link BatchCommand} may have; typed so that a new op cannot be forgotten here. */
const BATCH_OPS: Readonly<Record<BatchCommand['op'], true>> = Object.freeze({
  set: true,
  delete: true,
  pexpire: true,
  incrby: true,
  hset: true,
  hdel: true,
  hincrby: true,
  sadd: true,
  srem: true,
  zadd: true,
  zrem: true,
  zremRangeByScore: true,
})

/**
 * Checks every argument of a batch before MULTI is sent: one bad argument would otherwise abort the
 * whole EXEC, or leave the commands queued before it applied. An unknown `op` is refused too.
 * Errors name the operation as `batch <op>`.
 *
 * @example
 * ```ts
 * import { checkBatch } from '@cachette/core/redis'
 *
 * checkBatch('@cachette/ioredis', commands) // throws before anything is queued
 * ```
 */
export function checkBatch(driver: string, commands: readonly BatchCommand[]): void {
  for (const command of commands) {
    const op = (command as { op?: unknown }).op
    if (typeof op !== 'string' || !Object.hasOwn(BATCH_OPS, op)) throw invalidArgumentError(driver, 'batch', `unknown op '${String(op)}'`)
    const operation = `batch ${command.op}`
    if (command.op === 'set') {
      checkValue(driver, operation, command.value)
      if (command.ttlMs !== undefined) checkTtl(driver, operation, command.ttlMs)
    } else if (command.op === 'pexpire') checkExpire(driver, operation, command.ttlMs)
    else if (command.op === 'incrby' || command.op === 'hincrby') checkIncrement(driver, operation, command.by)
    else if (command.op === 'zadd') for (const entry of command.entries) checkScore(driver, operation, entry.score)
    else if (command.op === 'zremRangeByScore') {
      checkBound(driver, operation, command.min)
      checkBound(driver, operation, command.max)
    }
  }
}
