import type { BatchCommand, BatchResult } from '@cachette/core'
import { boundArgument, hsetArguments, setArguments, zaddArguments } from '@cachette/core/redis'
import { type Argument, toNumber, toRedisValue } from './commands.js'
import { DRIVER_NAME, toDriverError } from './driver-errors.js'

/**
 * An atomic batch as one MULTI/EXEC (node-redis' `multi()`, which writes MULTI, the commands and
 * EXEC as one unit). Commands that would be no-ops (an empty key or member list) are answered
 * locally with 0: Redis rejects them as syntax errors, which would abort the whole EXEC. The
 * arguments were checked before (`checkBatch` of `@cachette/core/redis`).
 */

/** Every key a batch touches, for the cluster slot check. */
export function batchKeys(commands: readonly BatchCommand[]): string[] {
  const keys: string[] = []
  for (const command of commands) {
    if (command.op === 'delete') keys.push(...command.keys)
    else keys.push(command.key)
  }
  return keys
}

/** The command a batch entry sends, or undefined when it is a no-op answered with 0. */
export function batchArguments(command: BatchCommand): Argument[] | undefined {
  switch (command.op) {
    case 'set':
      return ['SET', command.key, toRedisValue(command.value), ...setArguments(command.ttlMs, command.condition)]
    case 'delete':
      return command.keys.length === 0 ? undefined : ['UNLINK', ...command.keys]
    case 'pexpire':
      return ['PEXPIRE', command.key, String(command.ttlMs)]
    case 'incrby':
      return ['INCRBY', command.key, String(command.by)]
    case 'hset': {
      const args = hsetArguments(command.fields)
      return args.length === 0 ? undefined : ['HSET', command.key, ...args]
    }
    case 'hdel':
      return command.fields.length === 0 ? undefined : ['HDEL', command.key, ...command.fields]
    case 'hincrby':
      return ['HINCRBY', command.key, command.field, String(command.by)]
    case 'sadd':
      return command.members.length === 0 ? undefined : ['SADD', command.key, ...command.members]
    case 'srem':
      return command.members.length === 0 ? undefined : ['SREM', command.key, ...command.members]
    case 'zadd':
      return command.entries.length === 0 ? undefined : ['ZADD', command.key, ...zaddArguments(DRIVER_NAME, 'batch zadd', command.entries)]
    case 'zrem':
      return command.members.length === 0 ? undefined : ['ZREM', command.key, ...command.members]
    case 'zremRangeByScore': {
      const operation = 'batch zremRangeByScore'
      return ['ZREMRANGEBYSCORE', command.key, boundArgument(DRIVER_NAME, operation, command.min), boundArgument(DRIVER_NAME, operation, command.max)]
    }
  }
}

function convert(op: BatchCommand['op'], reply: unknown): BatchResult {
  if (op === 'set') return reply === 'OK' || (Buffer.isBuffer(reply) && reply.toString() === 'OK')
  if (op === 'pexpire') return toNumber(reply) === 1
  return toNumber(reply)
}

/** A MULTI's EXEC failure as node-redis reports it: the replies, some of them errors. */
interface MultiFailure {
  readonly replies: readonly unknown[]
  readonly errorIndexes: readonly number[]
}

function isMultiFailure(error: unknown): error is MultiFailure & Error {
  return error instanceof Error && Array.isArray((error as Partial<MultiFailure>).errorIndexes) && Array.isArray((error as Partial<MultiFailure>).replies)
}

/**
 * node-redis rejects EXEC with a MultiErrorReply when a command inside failed; the batch rejects
 * with that command's own reply instead (WRONGTYPE, ERR not an integer...), mapped as usual.
 */
export function firstFailure(error: unknown): unknown {
  return isMultiFailure(error) ? error.replies[error.errorIndexes[0] as number] : error
}

/**
 * Runs the batch with `exec` (the queued commands' arguments in, EXEC's replies out) and
 * converts the replies. A command that failed inside EXEC (Redis runs the others, as MULTI does)
 * rejects the batch with its mapped error.
 */
export async function execBatch(commands: readonly BatchCommand[], exec: (queued: Argument[][]) => Promise<unknown[]>): Promise<BatchResult[]> {
  const queued = commands.map(batchArguments)
  const sent = queued.filter((args): args is Argument[] => args !== undefined)
  if (sent.length === 0) return commands.map(() => 0)
  const replies = await exec(sent)
  if (replies === null) throw new Error('EXEC aborted')
  const results: BatchResult[] = []
  let next = 0
  for (let i = 0; i < commands.length; i++) {
    if (queued[i] === undefined) {
      results.push(0)
      continue
    }
    const reply = replies[next++]
    if (reply instanceof Error) throw toDriverError('batch', reply)
    results.push(convert((commands[i] as BatchCommand).op, reply))
  }
  return results
}
