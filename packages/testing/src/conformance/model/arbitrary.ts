import fc from 'fast-check'
import type { BatchCommand, DriverCapabilities, ScoreBound, SortedSetEntry } from '@cachette/core'
import type { CommandTtlMode, DriverCommand } from './commands.js'

/** Options of {@link driverCommandsArbitrary}. */
export interface DriverCommandsOptions {
  /**
   * Command families to generate; a family whose capability is false is left out.
   *
   * @default every family
   */
  readonly capabilities?: Partial<DriverCapabilities>
  /**
   * `'none'`: no TTL anywhere. `'long'`: TTLs of 1 hour to 30 days, safe on a real server where
   * time passes between commands (compare with `exactTime: false`). `'exact'`: TTLs of 1 ms to 3 s
   * and `advance` commands, for a driver on a fake clock (compare with `exactTime: true`).
   *
   * @default 'none'
   */
  readonly ttl?: CommandTtlMode
  /**
   * Longest sequence generated.
   *
   * @default 40
   */
  readonly maxCommands?: number
}

/*
 * A small alphabet, so commands collide: the same keys get every type (WRONG_TYPE), values
 * include every integer corner (leading zero, '-0', the 64-bit limits), members include bytes
 * that order differently in UTF-8 and UTF-16.
 */
const KEYS = ['k0', 'k1', 'k2', 'k3'] as const
/**
 * Keys only batches write, one type each and integer values only, so a generated batch can never
 * fail: Redis applies the rest of a failed EXEC while some drivers undo it, and a batch that
 * cannot fail compares the same on both.
 */
const BATCH_STRING_KEYS = ['b:s0', 'b:s1'] as const
const BATCH_HASH_KEY = 'b:h0'
const BATCH_SET_KEY = 'b:t0'
const BATCH_ZSET_KEY = 'b:z0'
const ALL_KEYS = [...KEYS, ...BATCH_STRING_KEYS, BATCH_HASH_KEY, BATCH_SET_KEY, BATCH_ZSET_KEY]

const VALUES = ['', 'v', 'w', 'é', '😀', 'a\u0000b', '0', '1', '-1', '42', '007', '-0', '+1', '1.5', ' 1', '9223372036854775807', '-9223372036854775808', '9223372036854775806'] as const
const FIELDS = ['f0', 'f1', 'é', ''] as const
const MEMBERS = ['a', 'b', 'B', 'aa', 'é', '😀', '\uffff', ''] as const
const SCORES = [-1.5, 0, 1, 2, 2.5, 1e10] as const
const PATTERNS = ['*', 'k*', 'k?', 'k[0-1]', 'k[^0]', 'b:*', '*0', 'b:?0', '?:*', 'k\\*'] as const

const key = fc.constantFrom(...KEYS)
const anyKey = fc.constantFrom(...ALL_KEYS)
const value = fc.constantFrom(...VALUES)
const field = fc.constantFrom(...FIELDS)
const member = fc.constantFrom(...MEMBERS)
const keys = fc.array(anyKey, { minLength: 1, maxLength: 4 })
const members = fc.array(member, { minLength: 1, maxLength: 4 })
const increment = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e15))
const score = fc.oneof(fc.constantFrom(...SCORES), fc.integer({ min: -3, max: 3 }))
const bound: fc.Arbitrary<ScoreBound> = fc.oneof(score, fc.constantFrom<ScoreBound>('-inf', '+inf'), score.map((exclusive) => ({ exclusive })))
const entries: fc.Arbitrary<SortedSetEntry[]> = fc.array(fc.record({ member, score }), { minLength: 1, maxLength: 4 })
const fields = fc.dictionary(field, value, { minKeys: 1, maxKeys: 3, noNullPrototype: true })
const condition = fc.constantFrom<'nx' | 'xx' | undefined>(undefined, undefined, 'nx', 'xx')
const integerText = fc.integer({ min: -100, max: 100 }).map(String)

/** A TTL for pexpire: always one, of the mode's range. */
function requiredTtl(mode: 'long' | 'exact'): fc.Arbitrary<number> {
  if (mode === 'long') return fc.integer({ min: 3_600_000, max: 30 * 24 * 3_600_000 })
  // Round values often, so time steps land exactly on expiry deadlines.
  return fc.oneof(fc.constantFrom(1, 2, 10, 100, 1_000), fc.integer({ min: 1, max: 3_000 }))
}

/** A TTL for set: sometimes none. */
function optionalTtl(mode: CommandTtlMode): fc.Arbitrary<number | undefined> {
  return mode === 'none' ? fc.constant(undefined) : fc.option(requiredTtl(mode), { nil: undefined })
}

function batchArbitrary(mode: CommandTtlMode, capabilities: Partial<DriverCapabilities>): fc.Arbitrary<DriverCommand> {
  const ttl = optionalTtl(mode)
  const stringKey = fc.constantFrom(...BATCH_STRING_KEYS)
  const inner: fc.Arbitrary<BatchCommand>[] = [
    fc.record({ op: fc.constant('set' as const), key: stringKey, value: integerText, ttlMs: ttl, condition }, { requiredKeys: ['op', 'key', 'value'] }),
    fc.record({ op: fc.constant('incrby' as const), key: stringKey, by: fc.integer({ min: -5, max: 5 }) }),
    fc.record({ op: fc.constant('delete' as const), keys: fc.array(fc.constantFrom(...ALL_KEYS.filter((name) => name.startsWith('b:'))), { minLength: 1, maxLength: 3 }) }),
  ]
  if (mode !== 'none') inner.push(fc.record({ op: fc.constant('pexpire' as const), key: fc.constantFrom(...ALL_KEYS.filter((name) => name.startsWith('b:'))), ttlMs: requiredTtl(mode) }))
  if (capabilities.hashes !== false) {
    inner.push(
      fc.record({ op: fc.constant('hset' as const), key: fc.constant(BATCH_HASH_KEY), fields: fc.dictionary(field, integerText, { minKeys: 1, maxKeys: 2, noNullPrototype: true }) }),
      fc.record({ op: fc.constant('hincrby' as const), key: fc.constant(BATCH_HASH_KEY), field, by: fc.integer({ min: -5, max: 5 }) }),
      fc.record({ op: fc.constant('hdel' as const), key: fc.constant(BATCH_HASH_KEY), fields: fc.array(field, { minLength: 1, maxLength: 2 }) }),
    )
  }
  if (capabilities.sets !== false) {
    inner.push(
      fc.record({ op: fc.constant('sadd' as const), key: fc.constant(BATCH_SET_KEY), members }),
      fc.record({ op: fc.constant('srem' as const), key: fc.constant(BATCH_SET_KEY), members }),
    )
  }
  if (capabilities.sortedSets !== false) {
    inner.push(
      fc.record({ op: fc.constant('zadd' as const), key: fc.constant(BATCH_ZSET_KEY), entries }),
      fc.record({ op: fc.constant('zrem' as const), key: fc.constant(BATCH_ZSET_KEY), members }),
      fc.record({ op: fc.constant('zremRangeByScore' as const), key: fc.constant(BATCH_ZSET_KEY), min: bound, max: bound }),
    )
  }
  return fc.record({ op: fc.constant('batch' as const), commands: fc.array(fc.oneof(...inner), { minLength: 1, maxLength: 5 }) })
}

/**
 * Random sequences of driver commands over a small alphabet of keys, fields, members and
 * values, for model-based and differential tests. Keys are relative: run each sequence under a
 * fresh prefix with `applyDriverCommand`. Generated batches never fail (see the batch keys
 * above), so a sequence means the same on every Redis-true driver.
 *
 * @example
 * ```ts
 * await fc.assert(
 *   fc.asyncProperty(driverCommandsArbitrary({ ttl: 'long' }), async (commands) => {
 *     const prefix = `diff:{${Math.random().toString(36).slice(2)}}:`
 *     for (const command of commands) {
 *       expect(await applyDriverCommand(memory, prefix, command)).toEqual(await applyDriverCommand(redis, prefix, command))
 *     }
 *   }),
 * )
 * ```
 */
export function driverCommandsArbitrary(options: DriverCommandsOptions = {}): fc.Arbitrary<DriverCommand[]> {
  const mode = options.ttl ?? 'none'
  const capabilities = options.capabilities ?? {}
  const ttl = optionalTtl(mode)
  const commands: fc.Arbitrary<DriverCommand>[] = [
    fc.record({ op: fc.constant('get' as const), key: anyKey }),
    fc.record({ op: fc.constant('mget' as const), keys }),
    fc.record({ op: fc.constant('set' as const), key, value, ttlMs: ttl, condition }, { requiredKeys: ['op', 'key', 'value'] }),
    fc.record({ op: fc.constant('delete' as const), keys }),
    fc.record({ op: fc.constant('exists' as const), keys }),
    fc.record({ op: fc.constant('incrby' as const), key, by: increment }),
    fc.record({ op: fc.constant('scan' as const), pattern: fc.constantFrom(...PATTERNS) }),
    fc.record({ op: fc.constant('compareAndDelete' as const), key, expected: value }),
  ]
  if (mode !== 'none') {
    commands.push(
      fc.record({ op: fc.constant('pttl' as const), key: anyKey }),
      fc.record({ op: fc.constant('pexpire' as const), key: anyKey, ttlMs: requiredTtl(mode) }),
    )
  }
  if (mode === 'exact') commands.push(fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.constantFrom(0, 1, 9, 10, 99, 100, 1_000), fc.integer({ min: 0, max: 2_000 })) }))
  if (capabilities.binary !== false) commands.push(fc.record({ op: fc.constant('getBytes' as const), key: anyKey }))
  if (capabilities.hashes !== false) {
    commands.push(
      fc.record({ op: fc.constant('hset' as const), key, fields }),
      fc.record({ op: fc.constant('hgetall' as const), key: anyKey }),
      fc.record({ op: fc.constant('hdel' as const), key, fields: fc.array(field, { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant('hincrby' as const), key, field, by: increment }),
    )
  }
  if (capabilities.sets !== false) {
    commands.push(
      fc.record({ op: fc.constant('sadd' as const), key, members }),
      fc.record({ op: fc.constant('srem' as const), key, members }),
      fc.record({ op: fc.constant('smembers' as const), key: anyKey }),
    )
  }
  if (capabilities.sortedSets !== false) {
    const rangeOptions = fc.record(
      { reverse: fc.boolean(), offset: fc.integer({ min: -1, max: 3 }), limit: fc.integer({ min: -1, max: 3 }) },
      { requiredKeys: [] },
    )
    commands.push(
      fc.record({ op: fc.constant('zadd' as const), key, entries }),
      fc.record({ op: fc.constant('zrangeByScore' as const), key: anyKey, min: bound, max: bound, options: rangeOptions }, { requiredKeys: ['op', 'key', 'min', 'max'] }),
      fc.record({ op: fc.constant('zrem' as const), key, members }),
      fc.record({ op: fc.constant('zcard' as const), key: anyKey }),
      fc.record({ op: fc.constant('zremRangeByScore' as const), key, min: bound, max: bound }),
    )
  }
  if (capabilities.batch !== false) commands.push(batchArbitrary(mode, capabilities))
  return fc.array(fc.oneof(...commands), { minLength: 1, maxLength: options.maxCommands ?? 40, size: 'max' })
}
