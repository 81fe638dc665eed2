import type { ScoreBound, SortedSetEntry, ZRangeOptions } from '../driver/driver.js'
import { invalidArgumentError, wrongTypeError } from './driver-errors.js'
import { NO_EXPIRY, SCORE_BYTES, utf8Length, type SortedSetEntryHolder } from './entry.js'
import { SortedSet, toBound, type Bound } from './sorted-set.js'
import type { MemoryStore } from './store.js'

/* Sorted-set commands: keep the TTL, create on first member, drop the key with its last member. */

function writableZset(store: MemoryStore, key: string, command: string): SortedSetEntryHolder | undefined {
  const entry = store.readForWrite(key)
  if (entry !== undefined && entry.kind !== 'zset') throw wrongTypeError(command)
  return entry
}

function bound(command: string, value: ScoreBound): Bound {
  const parsed = toBound(value)
  if (parsed === undefined) throw invalidArgumentError(command, 'a score bound must be a number, -inf, +inf or { exclusive: number }')
  return parsed
}

/** Rejects what ZADD would refuse, before anything changes (a batch relies on it). */
export function assertEntries(entries: readonly SortedSetEntry[]): void {
  for (const entry of entries) {
    if (typeof entry.score !== 'number' || Number.isNaN(entry.score)) throw invalidArgumentError('zadd', 'a score must be a number, not NaN')
  }
}

/** ZADD: how many members were new; existing members take the new score. */
export function zadd(store: MemoryStore, key: string, entries: readonly SortedSetEntry[]): number {
  if (entries.length === 0) return 0
  assertEntries(entries)
  let entry = writableZset(store, key, 'zadd')
  if (entry === undefined) {
    entry = { kind: 'zset', value: new SortedSet(), expiresAtMs: NO_EXPIRY, bytes: 0 }
    store.insert(key, entry)
  }
  let added = 0
  let delta = 0
  for (const { member, score } of entries) {
    if (entry.value.add(member, score)) {
      added++
      delta += utf8Length(member) + SCORE_BYTES
    }
  }
  store.resize(entry, delta)
  store.enforceLimits(key)
  return added
}

/** ZRANGE key min max BYSCORE [REV] [LIMIT offset count] WITHSCORES, with Redis' LIMIT rules. */
export function zrangeByScore(store: MemoryStore, key: string, min: ScoreBound, max: ScoreBound, options: ZRangeOptions | undefined): SortedSetEntry[] {
  const low = bound('zrangeByScore', min)
  const high = bound('zrangeByScore', max)
  const offset = options?.offset ?? 0
  const limit = options?.limit
  if (!Number.isSafeInteger(offset) || (limit !== undefined && !Number.isSafeInteger(limit))) {
    throw invalidArgumentError('zrangeByScore', 'offset and limit must be integers')
  }
  const entry = store.read(key)
  if (entry === undefined) {
    store.keyspaceMisses++
    return []
  }
  store.keyspaceHits++
  if (entry.kind !== 'zset') throw wrongTypeError('zrangeByScore')
  // Redis: a negative count means "all from the offset"; a negative offset returns nothing.
  return entry.value.range(low, high, options?.reverse === true, offset, limit === undefined || limit < 0 ? Number.POSITIVE_INFINITY : limit)
}

/** ZREM: how many members existed. */
export function zrem(store: MemoryStore, key: string, members: readonly string[]): number {
  if (members.length === 0) return 0
  const entry = writableZset(store, key, 'zrem')
  if (entry === undefined) return 0
  let removed = 0
  let delta = 0
  for (const member of members) {
    if (!entry.value.remove(member)) continue
    removed++
    delta -= utf8Length(member) + SCORE_BYTES
  }
  store.resize(entry, delta)
  if (entry.value.size === 0) store.remove(key)
  return removed
}

/** ZCARD: 0 when absent. */
export function zcard(store: MemoryStore, key: string): number {
  const entry = store.read(key)
  if (entry === undefined) return 0
  if (entry.kind !== 'zset') throw wrongTypeError('zcard')
  return entry.value.size
}

/** ZREMRANGEBYSCORE: how many members went. */
export function zremRangeByScore(store: MemoryStore, key: string, min: ScoreBound, max: ScoreBound): number {
  const low = bound('zremRangeByScore', min)
  const high = bound('zremRangeByScore', max)
  const entry = writableZset(store, key, 'zremRangeByScore')
  if (entry === undefined) return 0
  const removed = entry.value.removeRange(low, high)
  let delta = 0
  for (const item of removed) delta -= utf8Length(item.member) + SCORE_BYTES
  store.resize(entry, delta)
  if (entry.value.size === 0) store.remove(key)
  return removed.length
}
