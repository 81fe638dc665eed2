import { wrongTypeError } from './driver-errors.js'
import { NO_EXPIRY, utf8Length, type SetEntry } from './entry.js'
import type { MemoryStore } from './store.js'

/* Set commands: keep the TTL, create on first member, drop the key with its last member. */

function writableSet(store: MemoryStore, key: string, command: string): SetEntry | undefined {
  const entry = store.readForWrite(key)
  if (entry !== undefined && entry.kind !== 'set') throw wrongTypeError(command)
  return entry
}

/** SADD: how many members were new. An empty list changes nothing and resolves 0. */
export function sadd(store: MemoryStore, key: string, members: readonly string[]): number {
  if (members.length === 0) return 0
  let entry = writableSet(store, key, 'sadd')
  if (entry === undefined) {
    entry = { kind: 'set', value: new Set(), expiresAtMs: NO_EXPIRY, bytes: 0 }
    store.insert(key, entry)
  }
  const set = entry.value
  let added = 0
  let delta = 0
  for (const member of members) {
    if (set.has(member)) continue
    set.add(member)
    added++
    delta += utf8Length(member)
  }
  store.resize(entry, delta)
  store.enforceLimits(key)
  return added
}

/** SREM: how many members existed. */
export function srem(store: MemoryStore, key: string, members: readonly string[]): number {
  if (members.length === 0) return 0
  const entry = writableSet(store, key, 'srem')
  if (entry === undefined) return 0
  const set = entry.value
  let removed = 0
  let delta = 0
  for (const member of members) {
    if (!set.delete(member)) continue
    removed++
    delta -= utf8Length(member)
  }
  store.resize(entry, delta)
  if (set.size === 0) store.remove(key)
  return removed
}

/** SMEMBERS: in insertion order, which callers must not rely on (Redis gives none). */
export function smembers(store: MemoryStore, key: string): string[] {
  const entry = store.read(key)
  if (entry === undefined) {
    store.keyspaceMisses++
    return []
  }
  store.keyspaceHits++
  if (entry.kind !== 'set') throw wrongTypeError('smembers')
  return Array.from(entry.value)
}
