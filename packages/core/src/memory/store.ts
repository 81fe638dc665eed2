import type { Clock } from '../clock.js'
import { cloneEntry, NO_EXPIRY, utf8Length, type Entry } from './entry.js'

/** Entries the periodic sweep inspects per tick, so one tick never blocks the event loop for long. */
const SWEEP_BUDGET = 2_000

/**
 * The keyspace of a memory driver: one `Map` whose insertion order doubles as the LRU list
 * (a touch is delete + set, which moves the key to the most recent end), lazy expiry on every
 * access, size accounting, and an undo journal that makes a batch all-or-nothing.
 */
export class MemoryStore {
  readonly entries = new Map<string, Entry>()
  /** Sum of every entry's `bytes`. */
  totalBytes = 0
  keyspaceHits = 0
  keyspaceMisses = 0
  readonly clock: Clock
  private readonly maxEntries: number
  private readonly maxBytes: number
  /** Without a bound the LRU order is never read, so reads skip the delete + set. */
  private readonly bounded: boolean
  /** Snapshots of every key a running batch touched, taken before its first change. */
  private undo: Map<string, Entry | undefined> | undefined
  private sweepCursor: IterableIterator<[string, Entry]> | undefined

  constructor(clock: Clock, maxEntries: number | undefined, maxBytes: number | undefined) {
    this.clock = clock
    this.maxEntries = maxEntries ?? Number.POSITIVE_INFINITY
    this.maxBytes = maxBytes ?? Number.POSITIVE_INFINITY
    this.bounded = maxEntries !== undefined || maxBytes !== undefined
  }

  /** The live entry, without touching its LRU position (Redis LOOKUP_NOTOUCH: EXISTS, PTTL, SCAN). */
  peek(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAtMs !== NO_EXPIRY && entry.expiresAtMs < this.clock.now()) {
      this.drop(key, entry)
      return undefined
    }
    return entry
  }

  /** The live entry, marked most recently used. */
  read(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    // Redis keeps a key while now <= its expiry time, so a 1 ms TTL is still readable at +1 ms.
    if (entry.expiresAtMs !== NO_EXPIRY && entry.expiresAtMs < this.clock.now()) {
      this.drop(key, entry)
      return undefined
    }
    if (this.bounded) {
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    return entry
  }

  /** Like `read`, and journals the entry first because the caller is about to change it in place. */
  readForWrite(key: string): Entry | undefined {
    if (this.undo !== undefined) this.journal(key)
    return this.read(key)
  }

  /** Stores `entry` under `key`, replacing whatever was there, as the most recently used key. */
  insert(key: string, entry: Entry): void {
    if (this.undo !== undefined) this.journal(key)
    const previous = this.entries.get(key)
    if (previous !== undefined) {
      this.totalBytes -= previous.bytes
      // Only a bounded store cares where the key sits; a Map.set on an existing key keeps its place.
      if (this.bounded) this.entries.delete(key)
    }
    entry.bytes += utf8Length(key)
    this.totalBytes += entry.bytes
    this.entries.set(key, entry)
  }

  /** Deletes a live key; false when it was absent or expired. */
  remove(key: string): boolean {
    const entry = this.peek(key)
    if (entry === undefined) return false
    this.drop(key, entry)
    return true
  }

  /** Records a size change of an entry mutated in place. */
  resize(entry: Entry, deltaBytes: number): void {
    entry.bytes += deltaBytes
    this.totalBytes += deltaBytes
  }

  /**
   * Evicts least recently used keys until the bounds hold. Deferred while a batch runs.
   * `writtenKey`, when larger than `maxBytes` on its own, goes first: making room for an entry
   * that can never fit would flush every other key for nothing.
   */
  enforceLimits(writtenKey?: string): void {
    if (!this.bounded || this.undo !== undefined) return
    if (writtenKey !== undefined) {
      const written = this.entries.get(writtenKey)
      if (written !== undefined && written.bytes > this.maxBytes) this.drop(writtenKey, written)
    }
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) return
      this.drop(oldest.value, this.entries.get(oldest.value) as Entry)
    }
  }

  /** Starts journaling changes; `commit` or `rollback` ends it. */
  begin(): void {
    this.undo = new Map()
  }

  commit(): void {
    this.undo = undefined
    this.enforceLimits()
  }

  /** Puts every key the batch touched back as it was before `begin`. */
  rollback(): void {
    const undo = this.undo
    this.undo = undefined
    if (undo === undefined) return
    for (const [key, snapshot] of undo) {
      const current = this.entries.get(key)
      if (current !== undefined) {
        this.totalBytes -= current.bytes
        this.entries.delete(key)
      }
      if (snapshot !== undefined) {
        this.totalBytes += snapshot.bytes
        this.entries.set(key, snapshot)
      }
    }
  }

  /** Frees up to `SWEEP_BUDGET` expired entries, resuming where the previous tick stopped. */
  sweep(): void {
    const now = this.clock.now()
    this.sweepCursor ??= this.entries.entries()
    for (let i = 0; i < SWEEP_BUDGET; i++) {
      const next = this.sweepCursor.next()
      if (next.done === true) {
        this.sweepCursor = undefined
        return
      }
      const [key, entry] = next.value
      if (entry.expiresAtMs < now) this.drop(key, entry)
    }
  }

  clear(): void {
    this.entries.clear()
    this.totalBytes = 0
    this.sweepCursor = undefined
    this.undo = undefined
  }

  private drop(key: string, entry: Entry): void {
    if (this.undo !== undefined) this.journal(key)
    this.totalBytes -= entry.bytes
    this.entries.delete(key)
  }

  private journal(key: string): void {
    const undo = this.undo as Map<string, Entry | undefined>
    if (undo.has(key)) return
    const entry = this.entries.get(key)
    undo.set(key, entry === undefined ? undefined : cloneEntry(entry))
  }
}
