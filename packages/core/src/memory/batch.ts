import type { BatchCommand, BatchResult } from '../driver/driver.js'
import { invalidArgumentError } from './driver-errors.js'
import { hdel, hincrby, hset } from './hash-commands.js'
import { sadd, srem } from './set-commands.js'
import { zadd, zrem, zremRangeByScore } from './sorted-set-commands.js'
import type { MemoryStore } from './store.js'
import { deleteKeys, incrby, pexpire, setString } from './string-commands.js'

function run(store: MemoryStore, command: BatchCommand): BatchResult {
  switch (command.op) {
    case 'set':
      return setString(store, command.key, command.value, command)
    case 'delete':
      return deleteKeys(store, command.keys)
    case 'pexpire':
      return pexpire(store, command.key, command.ttlMs)
    case 'incrby':
      return incrby(store, command.key, command.by)
    case 'hset':
      return hset(store, command.key, command.fields)
    case 'hdel':
      return hdel(store, command.key, command.fields)
    case 'hincrby':
      return hincrby(store, command.key, command.field, command.by)
    case 'sadd':
      return sadd(store, command.key, command.members)
    case 'srem':
      return srem(store, command.key, command.members)
    case 'zadd':
      return zadd(store, command.key, command.entries)
    case 'zrem':
      return zrem(store, command.key, command.members)
    case 'zremRangeByScore':
      return zremRangeByScore(store, command.key, command.min, command.max)
    default:
      throw invalidArgumentError('batch', `unknown op '${String((command as { op?: unknown }).op)}'`)
  }
}

/**
 * Runs the commands in order, synchronously, so nothing else can observe a state in between.
 * All or nothing: when one command fails (WRONG_TYPE, NOT_INTEGER, a bad argument) every change
 * the batch made so far is undone and the batch rejects with that command's error. That is
 * stricter than Redis MULTI/EXEC, which runs the other commands anyway and reports the error in
 * that command's slot.
 */
export function runBatch(store: MemoryStore, commands: readonly BatchCommand[]): BatchResult[] {
  const results = new Array<BatchResult>(commands.length)
  store.begin()
  try {
    for (let i = 0; i < commands.length; i++) results[i] = run(store, commands[i] as BatchCommand)
  } catch (error) {
    store.rollback()
    throw error
  }
  store.commit()
  return results
}
