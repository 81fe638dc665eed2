import type { DriverSetOptions, DriverValue } from '../driver/driver.js'
import { invalidArgumentError, notIntegerError, wrongTypeError } from './driver-errors.js'
import { NO_EXPIRY, stringValueBytes, type StringEntry } from './entry.js'
import { increment, isIncrement } from './integer.js'
import type { MemoryStore } from './store.js'

/*
 * String and keyspace commands. Each function is the whole command, run synchronously against the
 * store, so a batch can call the same code and stay atomic.
 */

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** GET: bytes are decoded as UTF-8, as a Redis client decodes a bulk string. */
export function getString(store: MemoryStore, key: string): string | null {
  const entry = store.read(key)
  if (entry === undefined) {
    store.keyspaceMisses++
    return null
  }
  store.keyspaceHits++
  if (entry.kind !== 'string') throw wrongTypeError('get')
  const value = entry.value
  return typeof value === 'string' ? value : decoder.decode(value)
}

/** GET returning a private copy of the bytes, so the caller cannot change the stored value. */
export function getBytes(store: MemoryStore, key: string): Uint8Array | null {
  const entry = store.read(key)
  if (entry === undefined) {
    store.keyspaceMisses++
    return null
  }
  store.keyspaceHits++
  if (entry.kind !== 'string') throw wrongTypeError('getBytes')
  const value = entry.value
  return typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value)
}

/** MGET: a key holding another type reads as `null`, not as an error (as Redis). */
export function mget(store: MemoryStore, keys: readonly string[]): (string | null)[] {
  const values = new Array<string | null>(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const entry = store.read(keys[i] as string)
    if (entry === undefined) {
      store.keyspaceMisses++
      values[i] = null
    } else {
      store.keyspaceHits++
      const value = entry.value
      values[i] = entry.kind !== 'string' ? null : typeof value === 'string' ? value : decoder.decode(value as Uint8Array)
    }
  }
  return values
}

/** Rejects a TTL Redis would refuse ("invalid expire time"), before anything changes. */
export function assertTtl(command: string, ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw invalidArgumentError(command, 'ttlMs must be an integer >= 1')
}

/** Rejects a value that is neither a string nor bytes. */
export function assertValue(command: string, value: unknown): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw invalidArgumentError(command, 'value must be a string or a Uint8Array')
}

/** SET key value [PX ttl] [NX|XX]: replaces any type and clears the TTL unless one is given. */
export function setString(store: MemoryStore, key: string, value: DriverValue, options: DriverSetOptions | undefined): boolean {
  assertValue('set', value)
  const ttlMs = options?.ttlMs
  if (ttlMs !== undefined) assertTtl('set', ttlMs)
  const condition = options?.condition
  if (condition !== undefined) {
    const exists = store.peek(key) !== undefined
    if (condition === 'nx' ? exists : !exists) return false
  }
  // `new Uint8Array(bytes)` copies (a Buffer's slice() would share memory with the caller).
  const stored = typeof value === 'string' ? value : new Uint8Array(value)
  const entry: StringEntry = {
    kind: 'string',
    value: stored,
    expiresAtMs: ttlMs === undefined ? NO_EXPIRY : store.clock.now() + ttlMs,
    bytes: stringValueBytes(stored),
  }
  store.insert(key, entry)
  store.enforceLimits(key)
  return true
}

/** DEL: keys of any type; a key named twice counts once. */
export function deleteKeys(store: MemoryStore, keys: readonly string[]): number {
  let removed = 0
  for (const key of keys) if (store.remove(key)) removed++
  return removed
}

/** EXISTS: a key named twice counts twice. Does not touch the LRU order (as Redis). */
export function countExisting(store: MemoryStore, keys: readonly string[]): number {
  let count = 0
  for (const key of keys) if (store.peek(key) !== undefined) count++
  return count
}

/** PTTL: -2 absent, -1 persistent. */
export function pttl(store: MemoryStore, key: string): number {
  const entry = store.peek(key)
  if (entry === undefined) return -2
  if (entry.expiresAtMs === NO_EXPIRY) return -1
  return Math.max(0, entry.expiresAtMs - store.clock.now())
}

/** PEXPIRE: any type. A TTL <= 0 deletes the key at once, as Redis does. */
export function pexpire(store: MemoryStore, key: string, ttlMs: number): boolean {
  if (!Number.isSafeInteger(ttlMs)) throw invalidArgumentError('pexpire', 'ttlMs must be an integer')
  const entry = store.readForWrite(key)
  if (entry === undefined) return false
  if (ttlMs <= 0) store.remove(key)
  else entry.expiresAtMs = store.clock.now() + ttlMs
  return true
}

/** INCRBY: creates the key at 0 (persistent), keeps an existing TTL, refuses non-integers and overflow. */
export function incrby(store: MemoryStore, key: string, by: number): number {
  if (!isIncrement(by)) throw notIntegerError('incrby', 'not an integer')
  const entry = store.readForWrite(key)
  if (entry !== undefined && entry.kind !== 'string') throw wrongTypeError('incrby')
  const result = increment(entry?.value, by)
  if (!result.ok) throw notIntegerError('incrby', result.reason)
  if (entry === undefined) {
    store.insert(key, { kind: 'string', value: result.text, expiresAtMs: NO_EXPIRY, bytes: result.text.length })
  } else {
    store.resize(entry, result.text.length - stringValueBytes(entry.value))
    entry.value = result.text
  }
  store.enforceLimits(key)
  return result.value
}

/** compareAndDelete: GET then DEL when equal, compared byte for byte as the usual Lua script does. */
export function compareAndDelete(store: MemoryStore, key: string, expected: string): boolean {
  const entry = store.read(key)
  if (entry === undefined) return false
  if (entry.kind !== 'string') throw wrongTypeError('compareAndDelete')
  if (!sameValue(entry.value, expected)) return false
  store.remove(key)
  return true
}

/** compareAndSet: SET (with its TTL) only when the key holds `expected`, compared as compareAndDelete does. */
export function compareAndSet(store: MemoryStore, key: string, expected: string, value: DriverValue, ttlMs: number | undefined): boolean {
  assertValue('compareAndSet', value)
  if (ttlMs !== undefined) assertTtl('compareAndSet', ttlMs)
  const entry = store.read(key)
  if (entry === undefined) return false
  if (entry.kind !== 'string') throw wrongTypeError('compareAndSet')
  if (!sameValue(entry.value, expected)) return false
  return setString(store, key, value, ttlMs === undefined ? undefined : { ttlMs })
}

function sameValue(stored: string | Uint8Array, expected: string): boolean {
  if (typeof stored === 'string') return stored === expected
  const bytes = encoder.encode(expected)
  if (bytes.length !== stored.length) return false
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== stored[i]) return false
  return true
}
