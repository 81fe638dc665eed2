import type { BatchCommand, BatchResult } from '@cachette/core'
import { boundArgument, hsetArguments, setArguments, zaddArguments } from '@cachette/core/redis'
import type { CommandPipeline } from './commands.js'
import { DRIVER_NAME, toDriverError } from './driver-errors.js'
import { toRedisValue } from './values.js'

/**
 * An atomic batch as one MULTI/EXEC. Commands that would be no-ops (an empty key or member list)
 * are answered locally with 0: Redis rejects them as syntax errors, which would abort the whole
 * EXEC. The arguments were checked before (`checkBatch` of `@cachette/core/redis`).
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

function queue(multi: CommandPipeline, command: BatchCommand): boolean {
  switch (command.op) {
    case 'set':
      multi.set(command.key, toRedisValue(command.value), ...setArguments(command.ttlMs, command.condition))
      return true
    case 'delete':
      if (command.keys.length === 0) return false
      multi.unlink(...command.keys)
      return true
    case 'pexpire':
      multi.pexpire(command.key, command.ttlMs)
      return true
    case 'incrby':
      multi.incrby(command.key, command.by)
      return true
    case 'hset': {
      const args = hsetArguments(command.fields)
      if (args.length === 0) return false
      multi.hset(command.key, ...args)
      return true
    }
    case 'hdel':
      if (command.fields.length === 0) return false
      multi.hdel(command.key, ...command.fields)
      return true
    case 'hincrby':
      multi.hincrby(command.key, command.field, command.by)
      return true
    case 'sadd':
      if (command.members.length === 0) return false
      multi.sadd(command.key, ...command.members)
      return true
    case 'srem':
      if (command.members.length === 0) return false
      multi.srem(command.key, ...command.members)
      return true
    case 'zadd':
      if (command.entries.length === 0) return false
      multi.zadd(command.key, ...zaddArguments(DRIVER_NAME, 'batch zadd', command.entries))
      return true
    case 'zrem':
      if (command.members.length === 0) return false
      multi.zrem(command.key, ...command.members)
      return true
    case 'zremRangeByScore': {
      const operation = 'batch zremRangeByScore'
      multi.zremrangebyscore(command.key, boundArgument(DRIVER_NAME, operation, command.min), boundArgument(DRIVER_NAME, operation, command.max))
      return true
    }
  }
}

function convert(op: BatchCommand['op'], reply: unknown): BatchResult {
  if (op === 'set') return reply === 'OK'
  if (op === 'pexpire') return reply === 1
  return Number(reply)
}

/**
 * Queues the commands on `multi`, runs EXEC and converts the replies. A command that failed
 * inside EXEC (Redis runs the others, as MULTI does) rejects the batch with its mapped error.
 */
export async function execBatch(multi: CommandPipeline, commands: readonly BatchCommand[]): Promise<BatchResult[]> {
  const queued = commands.map((command) => queue(multi, command))
  if (!queued.includes(true)) return commands.map(() => 0)
  const replies = await multi.exec()
  if (replies === null) throw new Error('EXEC aborted')
  const results: BatchResult[] = []
  let next = 0
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i] as BatchCommand
    if (!queued[i]) {
      results.push(0)
      continue
    }
    const [error, reply] = replies[next++] ?? [new Error('missing EXEC reply'), undefined]
    if (error) throw toDriverError('batch', error)
    results.push(convert(command.op, reply))
  }
  return results
}
