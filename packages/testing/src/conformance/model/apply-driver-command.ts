import { escapeGlob, type BatchCommand, type Driver } from '@cachette/core'
import { hashPairs, normalizeNumber, normalizePttl, toHex, type ApplyCommandOptions, type DriverCommand, type DriverCommandResult } from './commands.js'

/** The batch command with every key under `prefix`. */
function prefixBatchCommand(prefix: string, command: BatchCommand): BatchCommand {
  if (command.op === 'delete') return { ...command, keys: command.keys.map((key) => prefix + key) }
  return { ...command, key: prefix + command.key }
}

async function scanRelative(driver: Driver, prefix: string, pattern: string): Promise<string[]> {
  const found = new Set<string>()
  for await (const key of driver.scan(escapeGlob(prefix) + pattern)) if (key.startsWith(prefix)) found.add(key.slice(prefix.length))
  return [...found].sort()
}

async function run(driver: Driver, p: string, command: DriverCommand, options: ApplyCommandOptions): Promise<unknown> {
  switch (command.op) {
    case 'get':
      return driver.get(p + command.key)
    case 'getBytes': {
      const bytes = await driver.getBytes(p + command.key)
      return bytes === null ? null : toHex(bytes)
    }
    case 'mget':
      return driver.mget(command.keys.map((key) => p + key))
    case 'set': {
      const { ttlMs, condition } = command
      return driver.set(p + command.key, command.value, ttlMs === undefined && condition === undefined ? undefined : { ttlMs, condition })
    }
    case 'delete':
      return driver.delete(command.keys.map((key) => p + key))
    case 'exists':
      return driver.exists(command.keys.map((key) => p + key))
    case 'pttl':
      return normalizePttl(await driver.pttl(p + command.key), options.exactTime === true)
    case 'pexpire':
      return driver.pexpire(p + command.key, command.ttlMs)
    case 'incrby':
      return normalizeNumber(await driver.incrby(p + command.key, command.by))
    case 'scan':
      return scanRelative(driver, p, command.pattern)
    case 'hset':
      return driver.hset(p + command.key, command.fields)
    case 'hgetall':
      return hashPairs(await driver.hgetall(p + command.key))
    case 'hdel':
      return driver.hdel(p + command.key, command.fields)
    case 'hincrby':
      return normalizeNumber(await driver.hincrby(p + command.key, command.field, command.by))
    case 'sadd':
      return driver.sadd(p + command.key, command.members)
    case 'srem':
      return driver.srem(p + command.key, command.members)
    case 'smembers':
      return (await driver.smembers(p + command.key)).sort()
    case 'zadd':
      return driver.zadd(p + command.key, command.entries)
    case 'zrangeByScore':
      return driver.zrangeByScore(p + command.key, command.min, command.max, command.options)
    case 'zrem':
      return driver.zrem(p + command.key, command.members)
    case 'zcard':
      return driver.zcard(p + command.key)
    case 'zremRangeByScore':
      return driver.zremRangeByScore(p + command.key, command.min, command.max)
    case 'compareAndDelete':
      return driver.compareAndDelete(p + command.key, command.expected)
    case 'batch': {
      const results = await driver.batch(command.commands.map((inner) => prefixBatchCommand(p, inner)))
      return results.map((result) => (typeof result === 'number' ? normalizeNumber(result) : result))
    }
    case 'advance':
      if (options.advanceTime === undefined) throw new Error('[@cachette/testing] an advance command needs options.advanceTime')
      await options.advanceTime(command.ms)
      return null
  }
}

/**
 * Runs one command record on a driver, every key under `prefix`, and returns its normalized
 * outcome (see `DriverCommandResult`): two Redis-true drivers given the same sequence return
 * equal results, so this is the building block of model-based and differential tests.
 *
 * @example
 * ```ts
 * const prefix = `diff:{${Date.now()}}:`
 * for (const command of commands) {
 *   expect(await applyDriverCommand(memory, prefix, command)).toEqual(await applyDriverCommand(redis, prefix, command))
 * }
 * ```
 */
export async function applyDriverCommand(driver: Driver, prefix: string, command: DriverCommand, options: ApplyCommandOptions = {}): Promise<DriverCommandResult> {
  try {
    return { ok: true, value: await run(driver, prefix, command, options) }
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (typeof code === 'string') return { ok: false, code }
    throw error
  }
}
