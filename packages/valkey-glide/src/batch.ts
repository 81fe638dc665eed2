import type { BatchCommand, BatchResult } from '@cachette/core'
import { boundArgument, hsetArguments, setArguments, zaddArguments } from '@cachette/core/redis'
import { Batch, ClusterBatch, type GlideString } from '@valkey/valkey-glide'
import { toGlideValue } from './commands.js'
import type { AnyGlideClient } from './create-client.js'
import { DRIVER_NAME, toDriverError } from './driver-errors.js'

/**
 * An atomic batch as one MULTI/EXEC (GLIDE's atomic `Batch` / `ClusterBatch`). Commands that
 * would be no-ops (an empty key or member list) are answered locally with 0: Redis rejects them
 * as syntax errors, which would abort the whole EXEC. The arguments were checked before
 * (`checkBatch` of `@cachette/core/redis`).
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

/** The command's arguments, or undefined for a no-op. */
function argumentsOf(command: BatchCommand): GlideString[] | undefined {
  switch (command.op) {
    case 'set':
      return ['SET', command.key, toGlideValue(command.value), ...setArguments(command.ttlMs, command.condition)]
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
  if (op === 'set') return reply === 'OK'
  // GLIDE reads PEXPIRE's integer reply inside a batch as a boolean.
  if (op === 'pexpire') return reply === 1 || reply === true
  return Number(reply)
}

/**
 * Runs the commands in one EXEC and converts the replies. A command that failed inside EXEC
 * (Redis runs the others, as MULTI does) rejects the batch with its mapped error.
 */
export async function execBatch(client: AnyGlideClient, cluster: boolean, commands: readonly BatchCommand[]): Promise<BatchResult[]> {
  const queued = commands.map(argumentsOf)
  if (queued.every((args) => args === undefined)) return commands.map(() => 0)
  const batch = cluster ? new ClusterBatch(true) : new Batch(true)
  for (const args of queued) if (args !== undefined) batch.customCommand(args)
  // raiseOnError false: errors come back in place, so the first failing command's own error is mapped.
  const replies = await (client as { exec(batch: Batch | ClusterBatch, raiseOnError: boolean): Promise<unknown[] | null> }).exec(batch, false)
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
