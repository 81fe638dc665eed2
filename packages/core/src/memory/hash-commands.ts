import { notIntegerError, wrongTypeError } from './driver-errors.js'
import { NO_EXPIRY, utf8Length, type HashEntry } from './entry.js'
import { increment, isIncrement } from './integer.js'
import type { MemoryStore } from './store.js'

/*
 * Hash commands. Like Redis, they keep the key's TTL, create the key on first write and drop it
 * with its last field.
 */

function writableHash(store: MemoryStore, key: string, command: string): HashEntry | undefined {
  const entry = store.readForWrite(key)
  if (entry !== undefined && entry.kind !== 'hash') throw wrongTypeError(command)
  return entry
}

function createHash(store: MemoryStore, key: string): HashEntry {
  const entry: HashEntry = { kind: 'hash', value: new Map(), expiresAtMs: NO_EXPIRY, bytes: 0 }
  store.insert(key, entry)
  return entry
}

/** HSET: how many fields were new. An empty field list changes nothing and resolves 0. */
export function hset(store: MemoryStore, key: string, fields: Readonly<Record<string, string>>): number {
  const names = Object.keys(fields)
  if (names.length === 0) return 0
  const entry = writableHash(store, key, 'hset') ?? createHash(store, key)
  const map = entry.value
  let added = 0
  let delta = 0
  for (const name of names) {
    const value = fields[name] as string
    const previous = map.get(name)
    if (previous === undefined) {
      added++
      delta += utf8Length(name) + utf8Length(value)
    } else delta += utf8Length(value) - utf8Length(previous)
    map.set(name, value)
  }
  store.resize(entry, delta)
  store.enforceLimits(key)
  return added
}

/** HGETALL: `{}` when absent. */
export function hgetall(store: MemoryStore, key: string): Record<string, string> {
  const entry = store.read(key)
  const result: Record<string, string> = {}
  if (entry === undefined) {
    store.keyspaceMisses++
    return result
  }
  store.keyspaceHits++
  if (entry.kind !== 'hash') throw wrongTypeError('hgetall')
  for (const [name, value] of entry.value) {
    // A plain assignment to '__proto__' would change the prototype instead of adding a field.
    if (name === '__proto__') Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true })
    else result[name] = value
  }
  return result
}

/** HDEL: how many fields existed; the key goes with its last field. */
export function hdel(store: MemoryStore, key: string, fields: readonly string[]): number {
  if (fields.length === 0) return 0
  const entry = writableHash(store, key, 'hdel')
  if (entry === undefined) return 0
  const map = entry.value
  let removed = 0
  let delta = 0
  for (const name of fields) {
    const previous = map.get(name)
    if (previous === undefined) continue
    map.delete(name)
    removed++
    delta -= utf8Length(name) + utf8Length(previous)
  }
  store.resize(entry, delta)
  if (map.size === 0) store.remove(key)
  return removed
}

/** HINCRBY: the new value; the field must hold a 64-bit integer in canonical form. */
export function hincrby(store: MemoryStore, key: string, field: string, by: number): number {
  if (!isIncrement(by)) throw notIntegerError('hincrby', 'not an integer')
  const existing = writableHash(store, key, 'hincrby')
  const previous = existing?.value.get(field)
  const result = increment(previous, by)
  if (!result.ok) throw notIntegerError('hincrby', result.reason)
  const entry = existing ?? createHash(store, key)
  entry.value.set(field, result.text)
  store.resize(entry, previous === undefined ? utf8Length(field) + result.text.length : result.text.length - previous.length)
  store.enforceLimits(key)
  return result.value
}
