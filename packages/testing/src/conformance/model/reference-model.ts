import { matchGlob, type BatchCommand, type ScoreBound, type SortedSetEntry, type ZRangeOptions } from '@cachette/core'
import { compareUtf8 } from '../compare-utf8.js'
import type { DriverConformanceQuirks } from '../quirks.js'
import { hashPairs, normalizeNumber, normalizePttl, toHex, type DriverCommand, type DriverCommandResult } from './commands.js'
import { add, inLower, inUpper, ModelError } from './model-values.js'

/*
 * A deliberately naive model of redis-server for the commands of the Driver contract: plain maps,
 * sorting on every read, BigInt for every increment. It shares no code with memoryDriver (only the
 * glob matcher of core, which glob.test.ts and the scan topic check against Redis), so the two
 * cannot agree on a mistake by construction. Time is logical: it only moves through `advance`.
 */

type Value =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'hash'; readonly value: Map<string, string> }
  | { readonly type: 'set'; readonly value: Set<string> }
  | { readonly type: 'zset'; readonly value: Map<string, number> }

interface Slot {
  value: Value
  /** Absolute logical time after which the key is gone; undefined = persistent. */
  expiresAt: number | undefined
}

/** The reference model: feed it the same commands as a driver and compare the results. */
export interface ReferenceModel {
  /**
   * Applies one command and returns its normalized result, as `applyDriverCommand` does.
   *
   * @example
   * ```ts
   * const model = createReferenceModel({ exactTime: true })
   * model.apply({ op: 'set', key: 'k', value: 'v' }) // { ok: true, value: true }
   * model.apply({ op: 'get', key: 'k' })             // { ok: true, value: 'v' }
   * ```
   */
  apply(command: DriverCommand): DriverCommandResult
}

/** Options of {@link createReferenceModel}. */
export interface ReferenceModelOptions {
  /**
   * Report pttl to the millisecond (as `applyDriverCommand` with the same option).
   *
   * @default false
   * @example
   * ```ts
   * createReferenceModel({ exactTime: true })  // pttl of a 10 ms TTL set at time 0: 10
   * createReferenceModel({ exactTime: false }) // any positive pttl: 'ttl'
   * ```
   */
  readonly exactTime?: boolean
  /**
   * Quirks of the driver it is compared with. The model follows `utf16MemberOrder` (equal scores
   * in UTF-16 order), `keepsEmptySortedSets` (a sorted set emptied by ZREM or ZREMRANGEBYSCORE
   * stays, empty) and `emptyStringIsNilInScripts` (`compareAndDelete(key, '')` on a key holding `''`
   * resolves false); the other quirks narrow `driverCommandsArbitrary` instead and change nothing here.
   *
   * @default none
   * @example
   * ```ts
   * const model = createReferenceModel({ quirks: { keepsEmptySortedSets: true } })
   * model.apply({ op: 'zadd', key: 'z', entries: [{ member: 'a', score: 1 }] })
   * model.apply({ op: 'zrem', key: 'z', members: ['a'] })
   * model.apply({ op: 'exists', keys: ['z'] }) // { ok: true, value: 1 }
   * ```
   */
  readonly quirks?: DriverConformanceQuirks
}

/**
 * A fresh reference model of Redis (empty keyspace, logical time 0).
 *
 * @param options - `exactTime`, and the `quirks` of the driver it is compared with.
 * @example
 * ```ts
 * const model = createReferenceModel({ exactTime: true })
 * model.apply({ op: 'set', key: 'k', value: 'v', ttlMs: 10 })
 * model.apply({ op: 'pttl', key: 'k' }) // { ok: true, value: 10 }
 * ```
 */
export function createReferenceModel(options: ReferenceModelOptions = {}): ReferenceModel {
  return new RedisModel(options.exactTime === true, options.quirks ?? {})
}

/** Orders equal scores as UTF-16 code units (JS string comparison). */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

class RedisModel implements ReferenceModel {
  private readonly keys = new Map<string, Slot>()
  private now = 0

  private readonly compareMembers: (a: string, b: string) => number
  private readonly dropEmptySortedSets: boolean
  private readonly scriptsSeeEmptyAsNil: boolean

  constructor(
    private readonly exactTime: boolean,
    quirks: DriverConformanceQuirks,
  ) {
    this.compareMembers = quirks.utf16MemberOrder === true ? compareUtf16 : compareUtf8
    this.dropEmptySortedSets = quirks.keepsEmptySortedSets !== true
    this.scriptsSeeEmptyAsNil = quirks.emptyStringIsNilInScripts === true
  }

  apply(command: DriverCommand): DriverCommandResult {
    try {
      return { ok: true, value: this.run(command) }
    } catch (error) {
      if (error instanceof ModelError) return { ok: false, code: error.code }
      throw error
    }
  }

  private live(key: string): Slot | undefined {
    const slot = this.keys.get(key)
    if (slot !== undefined && slot.expiresAt !== undefined && this.now > slot.expiresAt) {
      this.keys.delete(key)
      return undefined
    }
    return slot
  }

  private typed<T extends Value['type']>(key: string, type: T): Extract<Value, { type: T }> | undefined {
    const slot = this.live(key)
    if (slot === undefined) return undefined
    if (slot.value.type !== type) throw new ModelError('WRONG_TYPE')
    return slot.value as Extract<Value, { type: T }>
  }

  /** The container at `key`, created (persistent) when absent. */
  private container<T extends 'hash' | 'set' | 'zset'>(key: string, type: T, create: () => Extract<Value, { type: T }>): Extract<Value, { type: T }> {
    const existing = this.typed(key, type)
    if (existing !== undefined) return existing
    const value = create()
    this.keys.set(key, { value, expiresAt: undefined })
    return value
  }

  private dropIfEmpty(key: string, size: number): void {
    if (size === 0) this.keys.delete(key)
  }

  private run(command: DriverCommand): unknown {
    switch (command.op) {
      case 'get':
        return this.typed(command.key, 'string')?.value ?? null
      case 'getBytes': {
        const value = this.typed(command.key, 'string')?.value
        return value === undefined ? null : toHex(new TextEncoder().encode(value))
      }
      case 'mget':
        return command.keys.map((key) => {
          const slot = this.live(key)
          return slot?.value.type === 'string' ? slot.value.value : null
        })
      case 'exists':
        return command.keys.filter((key) => this.live(key) !== undefined).length
      case 'pttl': {
        const slot = this.live(command.key)
        if (slot === undefined) return -2
        return normalizePttl(slot.expiresAt === undefined ? -1 : slot.expiresAt - this.now, this.exactTime)
      }
      case 'scan':
        return [...this.keys.keys()].filter((key) => this.live(key) !== undefined && matchGlob(command.pattern, key)).sort()
      case 'hgetall': {
        const hash = this.typed(command.key, 'hash')?.value
        return hash === undefined ? [] : hashPairs(Object.fromEntries(hash))
      }
      case 'smembers':
        return [...(this.typed(command.key, 'set')?.value ?? [])].sort()
      case 'zrangeByScore':
        return this.zrange(command.key, command.min, command.max, command.options)
      case 'zcard':
        return this.typed(command.key, 'zset')?.value.size ?? 0
      case 'advance':
        this.now += command.ms
        return null
      case 'batch':
        return this.batch(command.commands)
      default:
        return this.write(command)
    }
  }

  private zrange(key: string, min: ScoreBound, max: ScoreBound, options: ZRangeOptions | undefined): SortedSetEntry[] {
    const zset = this.typed(key, 'zset')?.value
    if (zset === undefined) return []
    const sorted = [...zset]
      .filter(([, score]) => inLower(score, min) && inUpper(score, max))
      .sort(([a, x], [b, y]) => (x !== y ? x - y : this.compareMembers(a, b)))
      .map(([member, score]) => ({ member, score }))
    if (options?.reverse === true) sorted.reverse()
    const offset = options?.offset ?? 0
    const limit = options?.limit
    if (offset < 0) return []
    return limit === undefined || limit < 0 ? sorted.slice(offset) : sorted.slice(offset, offset + limit)
  }

  /** Redis EXEC: every command runs; the batch reports the first failure (generated batches never fail). */
  private batch(commands: readonly BatchCommand[]): unknown[] {
    let failure: ModelError | undefined
    const results = commands.map((command) => {
      try {
        const value = this.write(command)
        return typeof value === 'number' ? normalizeNumber(value) : value
      } catch (error) {
        if (!(error instanceof ModelError)) throw error
        failure ??= error
        return null
      }
    })
    if (failure !== undefined) throw failure
    return results
  }

  private write(command: BatchCommand | Extract<DriverCommand, { op: 'compareAndDelete' }>): boolean | number | string {
    switch (command.op) {
      case 'set': {
        const exists = this.live(command.key) !== undefined
        if ((command.condition === 'nx' && exists) || (command.condition === 'xx' && !exists)) return false
        const value = typeof command.value === 'string' ? command.value : new TextDecoder().decode(command.value)
        this.keys.set(command.key, { value: { type: 'string', value }, expiresAt: command.ttlMs === undefined ? undefined : this.now + command.ttlMs })
        return true
      }
      case 'delete': {
        let removed = 0
        for (const key of command.keys) if (this.live(key) !== undefined && this.keys.delete(key)) removed++
        return removed
      }
      case 'pexpire': {
        const slot = this.live(command.key)
        if (slot === undefined) return false
        if (command.ttlMs <= 0) this.keys.delete(command.key)
        else slot.expiresAt = this.now + command.ttlMs
        return true
      }
      case 'incrby': {
        const slot = this.live(command.key)
        const current = this.typed(command.key, 'string')?.value
        const sum = add(current, command.by)
        this.keys.set(command.key, { value: { type: 'string', value: sum.toString() }, expiresAt: slot?.expiresAt })
        return normalizeNumber(Number(sum))
      }
      case 'hset': {
        const hash = this.container(command.key, 'hash', () => ({ type: 'hash', value: new Map() })).value
        let added = 0
        for (const [field, value] of Object.entries(command.fields)) {
          if (!hash.has(field)) added++
          hash.set(field, value)
        }
        return added
      }
      case 'hdel': {
        const hash = this.typed(command.key, 'hash')?.value
        if (hash === undefined) return 0
        const removed = command.fields.filter((field) => hash.delete(field)).length
        this.dropIfEmpty(command.key, hash.size)
        return removed
      }
      case 'hincrby': {
        const current = this.typed(command.key, 'hash')?.value.get(command.field)
        const sum = add(current, command.by)
        this.container(command.key, 'hash', () => ({ type: 'hash', value: new Map() })).value.set(command.field, sum.toString())
        return normalizeNumber(Number(sum))
      }
      case 'sadd': {
        const set = this.container(command.key, 'set', () => ({ type: 'set', value: new Set() })).value
        const before = set.size
        for (const member of command.members) set.add(member)
        return set.size - before
      }
      case 'srem': {
        const set = this.typed(command.key, 'set')?.value
        if (set === undefined) return 0
        const removed = command.members.filter((member) => set.delete(member)).length
        this.dropIfEmpty(command.key, set.size)
        return removed
      }
      case 'zadd': {
        const zset = this.container(command.key, 'zset', () => ({ type: 'zset', value: new Map() })).value
        let added = 0
        for (const { member, score } of command.entries) {
          if (!zset.has(member)) added++
          zset.set(member, score)
        }
        return added
      }
      case 'zrem': {
        const zset = this.typed(command.key, 'zset')?.value
        if (zset === undefined) return 0
        const removed = command.members.filter((member) => zset.delete(member)).length
        if (this.dropEmptySortedSets) this.dropIfEmpty(command.key, zset.size)
        return removed
      }
      case 'zremRangeByScore': {
        const zset = this.typed(command.key, 'zset')?.value
        if (zset === undefined) return 0
        let removed = 0
        for (const [member, score] of zset) {
          if (inLower(score, command.min) && inUpper(score, command.max) && zset.delete(member)) removed++
        }
        if (this.dropEmptySortedSets) this.dropIfEmpty(command.key, zset.size)
        return removed
      }
      case 'compareAndDelete': {
        const value = this.typed(command.key, 'string')?.value
        if (value !== command.expected || (value === '' && this.scriptsSeeEmptyAsNil)) return false
        this.keys.delete(command.key)
        return true
      }
    }
  }
}
