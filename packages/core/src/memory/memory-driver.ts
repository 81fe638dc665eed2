import { systemClock } from '../clock.js'
import type {
  BatchCommand,
  BatchResult,
  Driver,
  DriverCapabilities,
  DriverInfo,
  DriverScanOptions,
  DriverSetOptions,
  DriverValue,
  ScoreBound,
  SortedSetEntry,
  SubscribeOptions,
  Unsubscribe,
  ZRangeOptions,
} from '../driver/driver.js'
import { runBatch } from './batch.js'
import { markInProcess } from './in-process.js'
import { closedError } from './driver-errors.js'
import { hdel, hgetall, hincrby, hset } from './hash-commands.js'
import { parseMemoryDriverOptions, type MemoryDriverOptions } from './options.js'
import { PubSub } from './pubsub.js'
import { DEFAULT_SCAN_COUNT, scanKeys } from './scan.js'
import { sadd, smembers, srem } from './set-commands.js'
import { zadd, zcard, zrangeByScore, zrem, zremRangeByScore } from './sorted-set-commands.js'
import { MemoryStore } from './store.js'
import { compareAndDelete, compareAndSet, countExisting, deleteKeys, getBytes, getString, incrby, mget, pexpire, pttl, setString } from './string-commands.js'

/** How often the background sweep frees expired keys on the wall clock. */
const SWEEP_INTERVAL_MS = 1_000

const CAPABILITIES: DriverCapabilities = Object.freeze({
  binary: true,
  hashes: true,
  sets: true,
  sortedSets: true,
  pubsub: true,
  batch: true,
  crossSlotBatch: true,
  compareAndDelete: true,
  compareAndSet: true,
  counters: true,
  inspection: true,
})

class MemoryDriver implements Driver {
  readonly name = 'memory'
  readonly capabilities = CAPABILITIES
  private readonly store: MemoryStore
  private readonly pubsub = new PubSub()
  private readonly sweepTimer: ReturnType<typeof setInterval> | undefined
  private closed = false
  private commands = 0
  private readonly isClosed = (): boolean => this.closed

  constructor(options: MemoryDriverOptions) {
    const clock = options.clock ?? systemClock
    this.store = new MemoryStore(clock, options.maxEntries, options.maxBytes)
    // Only the wall clock moves by itself; with a fake clock a timer would only add noise.
    if (clock === systemClock) {
      const store = this.store
      this.sweepTimer = setInterval(() => store.sweep(), SWEEP_INTERVAL_MS)
      ;(this.sweepTimer as { unref?: () => void }).unref?.()
    }
  }

  // Each method is `async`, so a synchronous throw (WRONG_TYPE, CLOSED...) becomes a rejection.

  async get(key: string): Promise<string | null> {
    return this.getNow(key)
  }

  /** GET without a promise, for the cache's hit path (see inProcessGet); throws where get() rejects. */
  getNow(key: string): string | null {
    this.enter()
    return getString(this.store, key)
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    this.enter()
    return getBytes(this.store, key)
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.enter()
    return mget(this.store, keys)
  }

  async set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean> {
    this.enter()
    return setString(this.store, key, value, options)
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.enter()
    return deleteKeys(this.store, keys)
  }

  async exists(keys: readonly string[]): Promise<number> {
    this.enter()
    return countExisting(this.store, keys)
  }

  async pttl(key: string): Promise<number> {
    this.enter()
    return pttl(this.store, key)
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    this.enter()
    return pexpire(this.store, key, ttlMs)
  }

  async incrby(key: string, by: number): Promise<number> {
    this.enter()
    return incrby(this.store, key, by)
  }

  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string> {
    const count = options?.count !== undefined && options.count >= 1 ? Math.floor(options.count) : DEFAULT_SCAN_COUNT
    return scanKeys(this.store, pattern, count, this.isClosed)
  }

  async hset(key: string, fields: Readonly<Record<string, string>>): Promise<number> {
    this.enter()
    return hset(this.store, key, fields)
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    this.enter()
    return hgetall(this.store, key)
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    this.enter()
    return hdel(this.store, key, fields)
  }

  async hincrby(key: string, field: string, by: number): Promise<number> {
    this.enter()
    return hincrby(this.store, key, field, by)
  }

  async sadd(key: string, members: readonly string[]): Promise<number> {
    this.enter()
    return sadd(this.store, key, members)
  }

  async srem(key: string, members: readonly string[]): Promise<number> {
    this.enter()
    return srem(this.store, key, members)
  }

  async smembers(key: string): Promise<string[]> {
    this.enter()
    return smembers(this.store, key)
  }

  async zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number> {
    this.enter()
    return zadd(this.store, key, entries)
  }

  async zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    this.enter()
    return zrangeByScore(this.store, key, min, max, options)
  }

  async zrem(key: string, members: readonly string[]): Promise<number> {
    this.enter()
    return zrem(this.store, key, members)
  }

  async zcard(key: string): Promise<number> {
    this.enter()
    return zcard(this.store, key)
  }

  async zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    this.enter()
    return zremRangeByScore(this.store, key, min, max)
  }

  async publish(channel: string, message: string): Promise<number> {
    this.enter()
    return this.pubsub.publish(channel, message)
  }

  // In process, a subscription cannot be lost: `options.onConnectionChange` is never called.
  async subscribe(channel: string, listener: (message: string) => void, _options?: SubscribeOptions): Promise<Unsubscribe> {
    this.enter()
    return this.pubsub.subscribe(channel, listener)
  }

  async batch(commands: readonly BatchCommand[]): Promise<BatchResult[]> {
    this.enter()
    return runBatch(this.store, commands)
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    this.enter()
    return compareAndDelete(this.store, key, expected)
  }

  async compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean> {
    this.enter()
    return compareAndSet(this.store, key, expected, value, options?.ttlMs)
  }

  async ping(): Promise<void> {
    this.enter()
  }

  async info(): Promise<DriverInfo> {
    this.enter()
    // Like Redis DBSIZE, `keys` counts expired keys not freed yet (the sweep frees them on the wall clock).
    return {
      keys: this.store.entries.size,
      usedMemoryBytes: this.store.totalBytes,
      keyspaceHits: this.store.keyspaceHits,
      keyspaceMisses: this.store.keyspaceMisses,
      totalCommands: this.commands,
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer)
    this.pubsub.clear()
    this.store.clear()
  }

  private enter(): void {
    if (this.closed) throw closedError()
    this.commands++
  }
}

/**
 * An in-process driver with Redis semantics: strings (bytes kept exactly), TTLs to the
 * millisecond, SCAN with Redis glob matching, hashes, sets, sorted sets, pub/sub, atomic batches
 * and compare-and-delete, checked by the same conformance suite as the Redis drivers.
 *
 * - Values are copied in and out: mutating a `Uint8Array` after `set` or after `getBytes` never
 *   changes what is stored.
 * - Expired keys disappear lazily on access, and on the wall clock also through an unref'd
 *   background sweep (no timer at all with any other clock). Like Redis DBSIZE, `info().keys`
 *   counts expired keys not freed yet.
 * - With `maxEntries` / `maxBytes` the least recently used keys are evicted (Redis allkeys-lru).
 * - `batch` is all-or-nothing: if any command fails, nothing is applied and the batch rejects
 *   with that error (Redis MULTI/EXEC would apply the others).
 * - Empty member/field lists (`hset(key, {})`, `sadd(key, [])`...) resolve 0 and change nothing.
 * - Arguments Redis refuses (a TTL below 1 ms in `set`, a NaN score, a non-integer offset)
 *   reject with `InvalidOptionsError`; `pexpire` with a TTL <= 0 deletes the key, as Redis.
 * - `publish` counts each `subscribe` call as one subscriber.
 * - After `close()` every call rejects with a `DriverError` of code `CLOSED`.
 *
 * @param options - bounds and clock; validated once, an invalid value throws `InvalidOptionsError`.
 * @example
 * ```ts
 * import { createCache, memoryDriver } from '@cachette/core'
 *
 * const cache = createCache({ driver: memoryDriver({ maxEntries: 10_000 }), ttl: '5m' })
 * ```
 */
export function memoryDriver(options?: MemoryDriverOptions): Driver {
  const driver = new MemoryDriver(parseMemoryDriverOptions(options))
  markInProcess(driver, (key) => driver.getNow(key))
  return driver
}
