import fc from 'fast-check'
import type { BatchCommand, DriverCapabilities } from '@cachette/core'
import type { DriverConformanceQuirks } from '../quirks.js'
import { BATCH_HASH_KEY, BATCH_SET_KEY, BATCH_STRING_KEYS, BATCH_ZSET_KEY, commandAlphabet, type CommandAlphabet } from './alphabet.js'
import type { CommandTtlMode, DriverCommand } from './commands.js'

/** Options of {@link driverCommandsArbitrary}. */
export interface DriverCommandsOptions {
  /**
   * Command families to generate; a family whose capability is false is left out (`counters`:
   * incrby, in batches too; `inspection`: exists and pttl).
   *
   * @default every family
   * @example
   * ```ts
   * driverCommandsArbitrary({ capabilities: { sortedSets: false, batch: false } }) // no zadd, zrem... and no batch
   * ```
   */
  readonly capabilities?: Partial<DriverCapabilities>
  /**
   * `'none'`: no TTL anywhere. `'long'`: TTLs of 1 hour to 30 days, safe on a real server where
   * time passes between commands (compare with `exactTime: false`). `'exact'`: TTLs of 1 ms to 3 s
   * and `advance` commands, for a driver on a fake clock (compare with `exactTime: true`).
   *
   * @default 'none'
   * @example
   * ```ts
   * driverCommandsArbitrary({ ttl: 'long' })  // against a real redis-server
   * driverCommandsArbitrary({ ttl: 'exact' }) // on a fake clock: apply with exactTime and advanceTime
   * ```
   */
  readonly ttl?: CommandTtlMode
  /**
   * Longest sequence generated.
   *
   * @default 40
   * @example
   * ```ts
   * driverCommandsArbitrary({ ttl: 'long', maxCommands: 10 }) // sequences of 1 to 10 commands
   * ```
   */
  readonly maxCommands?: number
  /**
   * Quirks of the driver under test: each narrows the generated commands as its comment in
   * `DriverConformanceQuirks` says, so the sequences only compare what the quirk leaves Redis-true.
   *
   * @default none
   * @example
   * ```ts
   * driverCommandsArbitrary({ quirks: { truncatedScoreBounds: true } }) // whole-number score bounds only
   * ```
   */
  readonly quirks?: DriverConformanceQuirks
}

const condition = fc.constantFrom<'nx' | 'xx' | undefined>(undefined, undefined, 'nx', 'xx')
const integerText = fc.integer({ min: -100, max: 100 }).map(String)
const BATCH_KEYS = [...BATCH_STRING_KEYS, BATCH_HASH_KEY, BATCH_SET_KEY, BATCH_ZSET_KEY]

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

function batchArbitrary(mode: CommandTtlMode, capabilities: Partial<DriverCapabilities>, alphabet: CommandAlphabet): fc.Arbitrary<DriverCommand> {
  const ttl = optionalTtl(mode)
  const { field, entries, bound } = alphabet
  const members = fc.array(alphabet.member, { minLength: 1, maxLength: 4 })
  const stringKey = fc.constantFrom(...BATCH_STRING_KEYS)
  const inner: fc.Arbitrary<BatchCommand>[] = [
    fc.record({ op: fc.constant('set' as const), key: stringKey, value: integerText, ttlMs: ttl, condition }, { requiredKeys: ['op', 'key', 'value'] }),
    ...(capabilities.counters === false ? [] : [fc.record({ op: fc.constant('incrby' as const), key: stringKey, by: fc.integer({ min: -5, max: 5 }) })]),
    fc.record({ op: fc.constant('delete' as const), keys: fc.array(fc.constantFrom(...BATCH_KEYS), { minLength: 1, maxLength: 3 }) }),
  ]
  if (mode !== 'none') inner.push(fc.record({ op: fc.constant('pexpire' as const), key: fc.constantFrom(...BATCH_KEYS), ttlMs: requiredTtl(mode) }))
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
 * fresh prefix with `applyDriverCommand`. Generated batches never fail (they write keys of their
 * own, one type each, integers only), so a sequence means the same on every Redis-true driver.
 * `quirks` narrows the alphabet for a store that departs from Redis (see `DriverConformanceQuirks`).
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
  const alphabet = commandAlphabet(options.quirks)
  const { stringKey, hashKey, setKey, zsetKey, counterKey, anyKey, value, field, counterField, entries, bound, increment } = alphabet
  const ttl = optionalTtl(mode)
  const keys = fc.array(anyKey, { minLength: 1, maxLength: 4 })
  const members = fc.array(alphabet.member, { minLength: 1, maxLength: 4 })
  const fields = fc.dictionary(field, value, { minKeys: 1, maxKeys: 3, noNullPrototype: true })
  const commands: fc.Arbitrary<DriverCommand>[] = [
    fc.record({ op: fc.constant('get' as const), key: alphabet.readStringKey }),
    fc.record({ op: fc.constant('mget' as const), keys: fc.array(alphabet.readStringKey, { minLength: 1, maxLength: 4 }) }),
    fc.record({ op: fc.constant('set' as const), key: stringKey, value, ttlMs: ttl, condition }, { requiredKeys: ['op', 'key', 'value'] }),
    fc.record({ op: fc.constant('delete' as const), keys }),
    // Each group in its old place, so a full driver draws the same sequences for a given seed.
    ...(capabilities.inspection === false ? [] : [fc.record({ op: fc.constant('exists' as const), keys })]),
    ...(capabilities.counters === false ? [] : [fc.record({ op: fc.constant('incrby' as const), key: counterKey ?? stringKey, by: increment })]),
    fc.record({ op: fc.constant('scan' as const), pattern: alphabet.pattern }),
    fc.record({ op: fc.constant('compareAndDelete' as const), key: stringKey, expected: value }),
  ]
  // With looseIntegerIncrements the counter key holds small integers only.
  if (counterKey !== undefined) commands.push(fc.record({ op: fc.constant('set' as const), key: counterKey, value: integerText, ttlMs: ttl, condition }, { requiredKeys: ['op', 'key', 'value'] }))
  if (mode !== 'none' && capabilities.inspection !== false) commands.push(fc.record({ op: fc.constant('pttl' as const), key: anyKey }))
  if (mode !== 'none') commands.push(fc.record({ op: fc.constant('pexpire' as const), key: anyKey, ttlMs: requiredTtl(mode) }))
  if (mode === 'exact') commands.push(fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.constantFrom(0, 1, 9, 10, 99, 100, 1_000), fc.integer({ min: 0, max: 2_000 })) }))
  if (capabilities.binary !== false) commands.push(fc.record({ op: fc.constant('getBytes' as const), key: alphabet.readStringKey }))
  if (capabilities.hashes !== false) {
    const deletedField = counterKey === undefined ? field : fc.oneof(field, counterField)
    commands.push(
      fc.record({ op: fc.constant('hset' as const), key: hashKey, fields }),
      fc.record({ op: fc.constant('hgetall' as const), key: alphabet.readHashKey }),
      fc.record({ op: fc.constant('hdel' as const), key: hashKey, fields: fc.array(deletedField, { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant('hincrby' as const), key: hashKey, field: counterField, by: increment }),
    )
  }
  if (capabilities.sets !== false) {
    commands.push(
      fc.record({ op: fc.constant('sadd' as const), key: setKey, members }),
      fc.record({ op: fc.constant('srem' as const), key: setKey, members }),
      fc.record({ op: fc.constant('smembers' as const), key: alphabet.readSetKey }),
    )
  }
  if (capabilities.sortedSets !== false) {
    const rangeOptions = fc.record({ reverse: fc.boolean(), offset: alphabet.rangeOffset, limit: fc.integer({ min: -1, max: 3 }) }, { requiredKeys: [] })
    commands.push(
      fc.record({ op: fc.constant('zadd' as const), key: zsetKey, entries }),
      fc.record({ op: fc.constant('zrangeByScore' as const), key: alphabet.readZsetKey, min: bound, max: bound, options: rangeOptions }, { requiredKeys: ['op', 'key', 'min', 'max'] }),
      fc.record({ op: fc.constant('zrem' as const), key: zsetKey, members }),
      fc.record({ op: fc.constant('zcard' as const), key: alphabet.readZsetKey }),
      fc.record({ op: fc.constant('zremRangeByScore' as const), key: zsetKey, min: bound, max: bound }),
    )
  }
  if (capabilities.batch !== false) commands.push(batchArbitrary(mode, capabilities, alphabet))
  return fc.array(fc.oneof(...commands), { minLength: 1, maxLength: options.maxCommands ?? 40, size: 'max' })
}
