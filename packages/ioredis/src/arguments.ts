import { DriverError, InvalidOptionsError, type BatchCommand, type ScoreBound, type ZRangeOptions } from '@cachette/core'

/**
 * Arguments Redis would refuse, refused before a round trip and with the same codes as the
 * memory driver (so a caller sees one behaviour whatever the store): INVALID_OPTIONS for a bad
 * TTL, score or limit, NOT_INTEGER for a fractional increment.
 */

const PREFIX = '[@cachette/ioredis]'

/** Rejects a TTL that is not an integer >= 1 (Redis: "invalid expire time"). */
export function checkTtl(command: string, ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new InvalidOptionsError(`${PREFIX} ${command}: ttlMs must be an integer >= 1`)
}

/** PEXPIRE accepts any integer (<= 0 deletes the key, as Redis does). */
export function checkExpire(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs)) throw new InvalidOptionsError(`${PREFIX} pexpire: ttlMs must be an integer`)
}

/** Rejects a value that is neither a string nor bytes. */
export function checkValue(command: string, value: unknown): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new InvalidOptionsError(`${PREFIX} ${command}: value must be a string or a Uint8Array`)
  }
}

/** An increment must be an exact integer (Redis: "value is not an integer or out of range"). */
export function checkIncrement(command: string, by: number): void {
  if (!Number.isSafeInteger(by)) throw new DriverError('NOT_INTEGER', `${PREFIX} ${command}: the increment is not an integer`)
}

/** Rejects a NaN score (Redis: "value is not a valid float"). */
export function checkScore(score: number): void {
  if (typeof score !== 'number' || Number.isNaN(score)) throw new InvalidOptionsError(`${PREFIX} zadd: a score must be a number, not NaN`)
}

/** Rejects a bound that is not a number, '-inf', '+inf' or { exclusive: number }. */
export function checkBound(command: string, bound: ScoreBound): void {
  const valid =
    bound === '-inf' ||
    bound === '+inf' ||
    (typeof bound === 'number' && !Number.isNaN(bound)) ||
    (typeof bound === 'object' && bound !== null && typeof bound.exclusive === 'number' && !Number.isNaN(bound.exclusive))
  if (!valid) throw new InvalidOptionsError(`${PREFIX} ${command}: a score bound must be a number, -inf, +inf or { exclusive: number }`)
}

/** LIMIT offset and count must be integers. */
export function checkRange(options: ZRangeOptions | undefined): void {
  const offset = options?.offset
  const limit = options?.limit
  if ((offset !== undefined && !Number.isSafeInteger(offset)) || (limit !== undefined && !Number.isSafeInteger(limit))) {
    throw new InvalidOptionsError(`${PREFIX} zrangeByScore: offset and limit must be integers`)
  }
}

/** Every argument of a batch, checked before MULTI is sent (a bad one would abort the EXEC). */
export function checkBatch(commands: readonly BatchCommand[]): void {
  for (const command of commands) {
    if (command.op === 'set') {
      checkValue('batch', command.value)
      if (command.ttlMs !== undefined) checkTtl('batch', command.ttlMs)
    } else if (command.op === 'pexpire') checkExpire(command.ttlMs)
    else if (command.op === 'incrby' || command.op === 'hincrby') checkIncrement('batch', command.by)
    else if (command.op === 'zadd') for (const entry of command.entries) checkScore(entry.score)
    else if (command.op === 'zremRangeByScore') {
      checkBound('batch', command.min)
      checkBound('batch', command.max)
    }
  }
}
