import type { BatchCommand, BatchResult } from '@cachette/core'
import { boundArgument, checkBatch, invalidArgumentError, scoreArgument } from '@cachette/core/redis'
import type { Redis } from '@upstash/redis'
import { DRIVER_NAME, toCacheError } from './driver-errors.js'
import { toWireValue } from './values.js'

/**
 * The subset of the client's transaction builder (`client.multi()`) the batch uses. Numbers that
 * Redis reads as floats are passed as strings (JSON has no Infinity: `scoreArgument` of
 * `@cachette/core/redis` spells them); the client sends strings as they are.
 */
interface Transaction {
  set(key: string, value: string, options?: { px?: number; nx?: true; xx?: true }): unknown
  del(...keys: string[]): unknown
  pexpire(key: string, ttlMs: number): unknown
  incrby(key: string, by: number): unknown
  hset(key: string, fields: Record<string, string>): unknown
  hdel(key: string, ...fields: string[]): unknown
  hincrby(key: string, field: string, by: number): unknown
  sadd(key: string, ...members: string[]): unknown
  srem(key: string, ...members: string[]): unknown
  zadd(key: string, ...entries: { score: string; member: string }[]): unknown
  zrem(key: string, ...members: string[]): unknown
  zremrangebyscore(key: string, min: string, max: string): unknown
  exec(options: { keepErrors: true }): Promise<{ result: unknown; error?: string }[]>
}

type Conversion = (result: unknown) => BatchResult

const toBoolean: Conversion = (result) => result === 'OK' || result === 1
const toNumber: Conversion = (result) => Number(result)

/**
 * Queues one command, or answers it locally when it has nothing to send (an empty member list
 * resolves 0 without a round trip, as the memory driver does; Redis would refuse the arity). The
 * arguments were checked before (`checkBatch`).
 */
function queue(tx: Transaction, command: BatchCommand): Conversion | BatchResult {
  switch (command.op) {
    case 'set': {
      const value = toWireValue('batch set', command.value)
      const options: { px?: number; nx?: true; xx?: true } = {}
      if (command.ttlMs !== undefined) options.px = command.ttlMs
      if (command.condition === 'nx') options.nx = true
      else if (command.condition === 'xx') options.xx = true
      tx.set(command.key, value, options)
      return toBoolean
    }
    case 'delete':
      if (command.keys.length === 0) return 0
      tx.del(...command.keys)
      return toNumber
    case 'pexpire':
      tx.pexpire(command.key, command.ttlMs)
      return toBoolean
    case 'incrby':
      tx.incrby(command.key, command.by)
      return toNumber
    case 'hset': {
      if (Object.keys(command.fields).length === 0) return 0
      tx.hset(command.key, { ...command.fields })
      return toNumber
    }
    case 'hdel':
      if (command.fields.length === 0) return 0
      tx.hdel(command.key, ...command.fields)
      return toNumber
    case 'hincrby':
      tx.hincrby(command.key, command.field, command.by)
      return toNumber
    case 'sadd':
      if (command.members.length === 0) return 0
      tx.sadd(command.key, ...command.members)
      return toNumber
    case 'srem':
      if (command.members.length === 0) return 0
      tx.srem(command.key, ...command.members)
      return toNumber
    case 'zadd':
      if (command.entries.length === 0) return 0
      tx.zadd(command.key, ...command.entries.map(({ score, member }) => ({ score: scoreArgument(DRIVER_NAME, 'batch zadd', score), member })))
      return toNumber
    case 'zrem':
      if (command.members.length === 0) return 0
      tx.zrem(command.key, ...command.members)
      return toNumber
    case 'zremRangeByScore': {
      const operation = 'batch zremRangeByScore'
      tx.zremrangebyscore(command.key, boundArgument(DRIVER_NAME, operation, command.min), boundArgument(DRIVER_NAME, operation, command.max))
      return toNumber
    }
    default:
      throw invalidArgumentError(DRIVER_NAME, 'batch', `unknown op '${String((command as { op?: unknown }).op)}'`)
  }
}

/**
 * Runs the commands in one `POST /multi-exec` (MULTI/EXEC on the server). Every argument is
 * checked before anything is queued or sent. When a command fails at run time (WRONGTYPE...)
 * Redis still applies the others, as MULTI/EXEC does; the batch then rejects with the first failure.
 */
export async function runBatch(client: Redis, commands: readonly BatchCommand[], timeoutMs: number | undefined): Promise<BatchResult[]> {
  checkBatch(DRIVER_NAME, commands)
  const tx = client.multi() as unknown as Transaction
  const plan = commands.map((command) => queue(tx, command))
  const sent = plan.filter((step) => typeof step === 'function').length
  if (sent === 0) return plan as BatchResult[]
  let entries: { result: unknown; error?: string }[]
  try {
    entries = await tx.exec({ keepErrors: true })
  } catch (error) {
    throw toCacheError('batch', error, timeoutMs)
  }
  const results: BatchResult[] = []
  let next = 0
  for (const step of plan) {
    if (typeof step !== 'function') {
      results.push(step)
      continue
    }
    const entry = entries[next++]
    if (typeof entry?.error === 'string') {
      // Shaped like the client's own error so the usual mapping (WRONGTYPE...) applies.
      throw toCacheError('batch', Object.assign(new Error(entry.error), { name: 'UpstashError' }), timeoutMs)
    }
    results.push(step(entry?.result))
  }
  return results
}
