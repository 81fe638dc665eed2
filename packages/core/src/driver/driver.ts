/**
 * The Driver contract: what every Cachette store implements (memory, ioredis, Upstash,
 * third-party drivers) and what `runDriverConformance()` from `@cachette/testing/conformance`
 * checks.
 *
 * It comes in two layers:
 * - {@link BaseDriver}: the commands a cache calls (and the lifecycle: name, capabilities, ping,
 *   info, close). `createCache({ driver })` asks for nothing more.
 * - Command groups ({@link BinaryCommands}, {@link CounterCommands}, {@link InspectionCommands},
 *   {@link HashCommands}, {@link SetCommands}, {@link SortedSetCommands}, {@link PubSubCommands},
 *   {@link BatchCommands}, {@link CompareAndSetCommands}), each announced by a flag of
 *   {@link DriverCapabilities}. A domain package that needs a group types its driver as
 *   {@link DriverWith} and checks it once with `requireCapabilities()`.
 *
 * {@link Driver} is a base driver with every group but compareAndSet: what the memory, ioredis and
 * Upstash drivers return.
 *
 * Redis semantics are the reference. Where this file says "as Redis", the conformance suite
 * compares the driver with a real redis-server.
 *
 * Rules every driver follows:
 * - Keys are strings. Values are strings (any UTF-8, including NUL and astral characters) or
 *   bytes (`Uint8Array`, with `capabilities.binary`); both round-trip exactly.
 * - A missing key reads as `null` / empty, never as an error. A command applied to a key holding
 *   another type rejects with a `DriverError` whose code is `WRONG_TYPE`.
 * - TTLs are in milliseconds, integers >= 1. A driver never rounds a TTL up to seconds.
 * - A driver never logs, and never puts a key or a value in an error message.
 * - Methods never throw synchronously; every failure is a rejected promise.
 */

/** A value as stored: a UTF-8 string, or bytes for codecs that produce them. */
export type DriverValue = string | Uint8Array

/** Options of {@link BaseDriver.set}. */
export interface DriverSetOptions {
  /**
   * Time to live in milliseconds (integer >= 1). Omitted: the key does not expire.
   *
   * @default no expiry
   * @example
   * ```ts
   * await driver.set('identity:professional:123', json, { ttlMs: 600_000 }) // expires in 10 minutes
   * ```
   */
  readonly ttlMs?: number
  /**
   * `'nx'`: only set when the key does not exist. `'xx'`: only when it exists.
   *
   * @default none (always written, as a plain SET)
   * @example
   * ```ts
   * const taken = await driver.set(lockKey, etablissement, { ttlMs: 60_000, condition: 'nx' }) // false: already held
   * ```
   */
  readonly condition?: 'nx' | 'xx'
}

/** Options of {@link BaseDriver.scan}. */
export interface DriverScanOptions {
  /**
   * Hint of keys per round trip (Redis SCAN COUNT).
   *
   * @default the driver's (memory 1000, ioredis and upstash their `scanCount`: 250 and 500)
   * @example
   * ```ts
   * for await (const key of driver.scan('identity:professional:*', { count: 1000 })) keys.push(key)
   * ```
   */
  readonly count?: number
}

/**
 * A score bound of a sorted-set range, as Redis writes them: a number (inclusive),
 * `'-inf'` / `'+inf'`, or `{ exclusive: n }` for `(n`.
 */
export type ScoreBound = number | '-inf' | '+inf' | { readonly exclusive: number }

/** One member of a sorted set with its score. */
export interface SortedSetEntry {
  readonly member: string
  readonly score: number
}

/** Options of {@link SortedSetCommands.zrangeByScore}. */
export interface ZRangeOptions {
  /**
   * Highest score first (ZRANGE ... BYSCORE REV).
   *
   * @default false
   * @example
   * ```ts
   * await driver.zrangeByScore(key, '-inf', '+inf', { reverse: true, limit: 20 }) // the 20 newest
   * ```
   */
  readonly reverse?: boolean
  /**
   * Members to skip (LIMIT offset).
   *
   * @default 0
   * @example
   * ```ts
   * await driver.zrangeByScore(key, '-inf', '+inf', { offset: 20, limit: 20 }) // the second page of 20
   * ```
   */
  readonly offset?: number
  /**
   * Members to return at most (LIMIT count).
   *
   * @default all (no LIMIT)
   * @example
   * ```ts
   * await driver.zrangeByScore(key, Date.now() - 3_600_000, '+inf', { limit: 100 }) // at most 100 from the last hour
   * ```
   */
  readonly limit?: number
}

/** A command inside an atomic {@link BatchCommands.batch}. Its result sits at the same index. */
export type BatchCommand =
  | { readonly op: 'set'; readonly key: string; readonly value: DriverValue; readonly ttlMs?: number; readonly condition?: 'nx' | 'xx' }
  | { readonly op: 'delete'; readonly keys: readonly string[] }
  | { readonly op: 'pexpire'; readonly key: string; readonly ttlMs: number }
  | { readonly op: 'incrby'; readonly key: string; readonly by: number }
  | { readonly op: 'hset'; readonly key: string; readonly fields: Readonly<Record<string, string>> }
  | { readonly op: 'hdel'; readonly key: string; readonly fields: readonly string[] }
  | { readonly op: 'hincrby'; readonly key: string; readonly field: string; readonly by: number }
  | { readonly op: 'sadd'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'srem'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'zadd'; readonly key: string; readonly entries: readonly SortedSetEntry[] }
  | { readonly op: 'zrem'; readonly key: string; readonly members: readonly string[] }
  | { readonly op: 'zremRangeByScore'; readonly key: string; readonly min: ScoreBound; readonly max: ScoreBound }

/**
 * The result of one batch command, the same value its standalone method resolves to:
 * `set` and `pexpire` give a boolean, every other command a number.
 */
export type BatchResult = boolean | number

/** What {@link BaseDriver.info} reports. Fields a store cannot tell are omitted. */
export interface DriverInfo {
  /** Bytes of memory the store uses (Redis `used_memory`). */
  readonly usedMemoryBytes?: number
  /** Lookups that found a key (Redis `keyspace_hits`). */
  readonly keyspaceHits?: number
  /** Lookups that found nothing (Redis `keyspace_misses`). */
  readonly keyspaceMisses?: number
  /** Connected clients (Redis `connected_clients`). */
  readonly connectedClients?: number
  /** Commands processed since start (Redis `total_commands_processed`). */
  readonly totalCommands?: number
  /** Keys held, all databases or masters together. */
  readonly keys?: number
}

/**
 * What a driver can do. Most flags announce a command group (its methods exist and follow Redis);
 * `crossSlotBatch` and `compareAndDelete` describe a behaviour. A domain package checks the flags
 * it needs once, with `requireCapabilities()`, and refuses a driver that lacks one.
 */
export interface DriverCapabilities {
  /** {@link BinaryCommands}: values may be bytes (`Uint8Array`) and `getBytes` returns them exactly. */
  readonly binary: boolean
  /** {@link HashCommands}: hset / hgetall / hdel / hincrby. */
  readonly hashes: boolean
  /** {@link SetCommands}: sadd / srem / smembers. */
  readonly sets: boolean
  /** {@link SortedSetCommands}: zadd / zrangeByScore / zrem / zcard / zremRangeByScore. */
  readonly sortedSets: boolean
  /** {@link PubSubCommands}: publish / subscribe. */
  readonly pubsub: boolean
  /** {@link BatchCommands}: an atomic batch (MULTI/EXEC semantics). */
  readonly batch: boolean
  /** A batch may touch keys in different hash slots (false on Redis Cluster). */
  readonly crossSlotBatch: boolean
  /** compareAndDelete is atomic on the server. */
  readonly compareAndDelete: boolean
  /**
   * The driver has an atomic {@link CompareAndSetCommands.compareAndSet}. Without it, core's fence
   * writes with compareAndDelete then SET NX (one more round trip).
   *
   * @default false
   */
  readonly compareAndSet?: boolean
  /**
   * {@link CounterCommands}: incrby, and `incrby` inside a batch. Core's cache never calls it.
   * Left out, the driver has the group when it has an `incrby` method (every driver written
   * before this flag existed had to).
   *
   * @default true when the driver has an `incrby` method
   */
  readonly counters?: boolean
  /**
   * {@link InspectionCommands}: exists / pttl. Core's cache never calls them. Left out, the driver
   * has the group when it has both methods (every driver written before this flag existed had to).
   *
   * @default true when the driver has `exists` and `pttl` methods
   */
  readonly inspection?: boolean
  /**
   * {@link TrackingCommands}: server-assisted client-side caching (Redis `CLIENT TRACKING`).
   *
   * @default false
   */
  readonly tracking?: boolean
}

/** The name of one capability: `'hashes'`, `'batch'`, `'compareAndDelete'`... */
export type DriverCapability = keyof DriverCapabilities

/** Stops a subscription. Resolves once the driver no longer delivers to that listener. */
export type Unsubscribe = () => Promise<void>

/**
 * What a cache needs from a store, and all that `createCache({ driver })` asks for: the commands
 * core's cache calls (get, mget, set with TTL and NX/XX, delete, pexpire, scan,
 * compareAndDelete, and compareAndSet when announced), and the lifecycle (name, capabilities,
 * ping, info, close). Everything else is a command group announced by {@link DriverCapabilities}.
 *
 * @example
 * ```ts
 * import type { BaseDriver } from '@cachette/core'
 *
 * async function warm(driver: BaseDriver) {
 *   await driver.set('identity:patient:42', '{"id":42}', { ttlMs: 600_000 })
 * }
 * ```
 */
export interface BaseDriver {
  /** A short name for health reports and metrics: `'memory'`, `'ioredis'`, `'upstash'`. */
  readonly name: string
  /** The command groups and behaviours this driver has. */
  readonly capabilities: DriverCapabilities

  // ---- strings ----------------------------------------------------------------------------
  /**
   * The value as a string (bytes are decoded as UTF-8), or `null` when absent or expired.
   *
   * @example
   * ```ts
   * const raw = await driver.get('identity:patient:42') // string, or null when absent or expired
   * ```
   */
  get(key: string): Promise<string | null>
  /**
   * Values for many keys, in order, `null` where absent or holding another type (MGET: no WRONGTYPE).
   *
   * @example
   * ```ts
   * const [a, b] = await driver.mget(['identity:patient:41', 'identity:patient:42']) // null where absent
   * ```
   */
  mget(keys: readonly string[]): Promise<(string | null)[]>
  /**
   * SET with PX and NX/XX. Resolves `true` when written, `false` when the condition failed.
   * Without `ttlMs` the key no longer expires (as Redis SET); a `ttlMs` below 1 rejects.
   *
   * @example
   * ```ts
   * await driver.set('identity:patient:42', '{"id":42}', { ttlMs: 600_000 }) // true
   * await driver.set('lock:fhir:export:Patient:ej:7', owner, { ttlMs: 30_000, condition: 'nx' }) // false: already held
   * ```
   */
  set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean>
  /**
   * Deletes keys of any type; resolves how many existed (a key named twice counts once). An empty
   * list resolves 0.
   *
   * @example
   * ```ts
   * await driver.delete(['identity:patient:41', 'identity:patient:42']) // 2 when both existed
   * ```
   */
  delete(keys: readonly string[]): Promise<number>
  /**
   * Sets a TTL in ms on an existing key; resolves `false` when the key is absent. A TTL of 0 or
   * less deletes the key at once (and resolves `true`), as Redis' PEXPIRE does.
   *
   * @example
   * ```ts
   * await driver.pexpire('identity:patient:42', 60_000) // false when the key is absent
   * ```
   */
  pexpire(key: string, ttlMs: number): Promise<boolean>

  // ---- keyspace ---------------------------------------------------------------------------
  /**
   * Every key matching a Redis glob pattern (`*`, `?`, `[a-c]`, `[^a]`, `\` escapes), by SCAN,
   * never KEYS. On a cluster it visits every master. A key may be yielded more than once
   * (SCAN's guarantee); keys alive for the whole scan are yielded at least once.
   *
   * @example
   * ```ts
   * const keys: string[] = []
   * for await (const key of driver.scan('fhir:export:*:ej:7', { count: 500 })) keys.push(key) // may repeat a key
   * ```
   */
  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string>

  // ---- atomicity --------------------------------------------------------------------------
  /**
   * Deletes `key` only if its value is `expected` (lock release, the fence's write). Atomic on the
   * server when `capabilities.compareAndDelete` says so.
   *
   * @example
   * ```ts
   * await driver.compareAndDelete('lock:fhir:export:Patient:ej:7', owner) // false: the lock is no longer ours
   * ```
   */
  compareAndDelete(key: string, expected: string): Promise<boolean>
  /**
   * Optional, announced by `capabilities.compareAndSet`; see {@link CompareAndSetCommands}.
   *
   * @example
   * ```ts
   * await driver.compareAndSet?.('identity:patient:42', tombstone, entry, { ttlMs: 600_000 }) // false: invalidated meanwhile
   * ```
   */
  compareAndSet?(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean>
  /**
   * Optional, announced by `capabilities.tracking`; see {@link TrackingCommands}.
   *
   * @example
   * ```ts
   * const stop = await driver.trackInvalidations?.((keys) => (keys === null ? local.clear() : keys.forEach((key) => local.delete(key))))
   * ```
   */
  trackInvalidations?(listener: (keys: readonly string[] | null) => void, options?: TrackingOptions): Promise<Unsubscribe>

  // ---- operations -------------------------------------------------------------------------
  /**
   * Round trip to the store; rejects when it cannot be reached.
   *
   * @example
   * ```ts
   * await driver.ping() // rejects when the store cannot be reached
   * ```
   */
  ping(): Promise<void>
  /**
   * Store statistics for health checks and dashboards (`{}` when the store can tell nothing).
   *
   * @example
   * ```ts
   * const { usedMemoryBytes, keys } = await driver.info() // undefined where the store cannot tell
   * ```
   */
  info(): Promise<DriverInfo>
  /**
   * Releases what the driver opened (never a client it was handed). Idempotent.
   *
   * @example
   * ```ts
   * await driver.close() // a second call does nothing
   * ```
   */
  close(): Promise<void>
}

/** Byte values, announced by `capabilities.binary`. Needed by a cache with a bytes codec. */
export interface BinaryCommands {
  /**
   * The value as bytes, exactly as stored, or `null`.
   *
   * @example
   * ```ts
   * const bytes = await driver.getBytes('fhir:bundle:b7') // Uint8Array exactly as stored, or null
   * ```
   */
  getBytes(key: string): Promise<Uint8Array | null>
}

/** Integer counters, announced by `capabilities.counters`. */
export interface CounterCommands {
  /**
   * INCRBY: creates the key at 0 first, keeps its TTL, rejects on a non-integer value.
   *
   * @example
   * ```ts
   * await driver.incrby('messaging:conversation:c1:unread', 1) // 1 on a new key, then 2, 3...
   * ```
   */
  incrby(key: string, by: number): Promise<number>
}

/** Reading what the keyspace holds, announced by `capabilities.inspection`. */
export interface InspectionCommands {
  /**
   * How many of the keys exist (a key named twice counts twice, as Redis EXISTS).
   *
   * @example
   * ```ts
   * await driver.exists(['identity:patient:42', 'identity:patient:42']) // 2 when it exists: counted twice
   * ```
   */
  exists(keys: readonly string[]): Promise<number>
  /**
   * Remaining TTL in ms: -2 when absent, -1 when the key has no TTL (as Redis PTTL).
   *
   * @example
   * ```ts
   * await driver.pttl('identity:patient:42') // ms left, e.g. 599_870; -1 without TTL, -2 when absent
   * ```
   */
  pttl(key: string): Promise<number>
}

/** Hashes, announced by `capabilities.hashes`. */
export interface HashCommands {
  /**
   * HSET: resolves how many fields were new. Keeps the key's TTL.
   *
   * @example
   * ```ts
   * await driver.hset('fhir:export:Patient:ej:7', { status: 'running', resources: '0' }) // 2 new fields
   * ```
   */
  hset(key: string, fields: Readonly<Record<string, string>>): Promise<number>
  /**
   * HGETALL: `{}` when absent.
   *
   * @example
   * ```ts
   * const job = await driver.hgetall('fhir:export:Patient:ej:7') // { status: 'running', resources: '0' }, {} when absent
   * ```
   */
  hgetall(key: string): Promise<Record<string, string>>
  /**
   * HDEL: resolves how many fields existed. The key disappears with its last field.
   *
   * @example
   * ```ts
   * await driver.hdel('fhir:export:Patient:ej:7', ['status', 'resources']) // 2; the key goes with its last field
   * ```
   */
  hdel(key: string, fields: readonly string[]): Promise<number>
  /**
   * HINCRBY: resolves the new value.
   *
   * @example
   * ```ts
   * await driver.hincrby('fhir:export:Patient:ej:7', 'resources', 500) // the new count, 500 from 0
   * ```
   */
  hincrby(key: string, field: string, by: number): Promise<number>
}

/** Sets, announced by `capabilities.sets`. */
export interface SetCommands {
  /**
   * SADD: resolves how many members were new.
   *
   * @example
   * ```ts
   * await driver.sadd('messaging:conversation:c1:participants', ['professional:123', 'patient:42']) // 2 the first time
   * ```
   */
  sadd(key: string, members: readonly string[]): Promise<number>
  /**
   * SREM: resolves how many members existed. The key disappears with its last member.
   *
   * @example
   * ```ts
   * await driver.srem('messaging:conversation:c1:participants', ['professional:123']) // 1, 0 if not a member
   * ```
   */
  srem(key: string, members: readonly string[]): Promise<number>
  /**
   * SMEMBERS, in no particular order.
   *
   * @example
   * ```ts
   * const participants = await driver.smembers('messaging:conversation:c1:participants') // [] when absent
   * ```
   */
  smembers(key: string): Promise<string[]>
}

/** Sorted sets, announced by `capabilities.sortedSets`. */
export interface SortedSetCommands {
  /**
   * ZADD: resolves how many members were new (existing members get the new score).
   *
   * @example
   * ```ts
   * await driver.zadd('messaging:conversation:c1:messages', [{ member: 'm1', score: Date.now() }]) // 1 when m1 is new
   * ```
   */
  zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number>
  /**
   * Members whose score lies in [min, max], ordered by score then member (byte order), as
   * ZRANGE key min max BYSCORE [REV] [LIMIT offset count] WITHSCORES. With `reverse`, `min` is
   * still the lower bound.
   *
   * @example
   * ```ts
   * const lastHour = await driver.zrangeByScore('messaging:conversation:c1:messages', Date.now() - 3_600_000, '+inf')
   * // [{ member: 'm1', score }, ...], lowest score first; [] when absent
   * ```
   */
  zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]>
  /**
   * ZREM: resolves how many members existed.
   *
   * @example
   * ```ts
   * await driver.zrem('messaging:conversation:c1:messages', ['m1']) // 1, 0 if m1 was not there
   * ```
   */
  zrem(key: string, members: readonly string[]): Promise<number>
  /**
   * ZCARD: 0 when absent.
   *
   * @example
   * ```ts
   * const count = await driver.zcard('messaging:conversation:c1:messages') // 0 when absent
   * ```
   */
  zcard(key: string): Promise<number>
  /**
   * ZREMRANGEBYSCORE: resolves how many members were removed.
   *
   * @example
   * ```ts
   * const cutoff = Date.now() - 30 * 86_400_000
   * await driver.zremRangeByScore('messaging:conversation:c1:messages', '-inf', { exclusive: cutoff }) // how many were older than 30 days
   * ```
   */
  zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number>
}

/** Pub/sub, announced by `capabilities.pubsub`. */
export interface PubSubCommands {
  /**
   * PUBLISH: resolves how many subscribers received it (on a cluster, this node's count).
   *
   * @example
   * ```ts
   * await driver.publish('identity:invalidations', 'patient:42') // subscribers reached, 0 when none
   * ```
   */
  publish(channel: string, message: string): Promise<number>
  /**
   * SUBSCRIBE: resolves once the subscription is active on the server.
   *
   * @example
   * ```ts
   * const unsubscribe = await driver.subscribe('identity:invalidations', (message) => localCopies.delete(message))
   * await unsubscribe() // nothing is delivered to this listener afterwards
   * ```
   */
  subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe>
}

/** Options of {@link PubSubCommands.subscribe}. */
export interface SubscribeOptions {
  /**
   * Told when the subscription may miss messages: `false` as soon as its connection is lost
   * (anything published from then on may never arrive), `true` once it is subscribed on the
   * server again. Two-tier caches rely on it: their memory tier stops serving between the two
   * calls. A driver whose subscriptions cannot be lost (the memory driver) never calls it; a
   * driver that cannot tell must not announce `pubsub`. Called at most once per change, never
   * after the unsubscribe resolves; a listener that throws is ignored.
   *
   * @default undefined (not told)
   * @example
   * ```ts
   * await driver.subscribe('identity:cachette:bus', onMessage, {
   *   onConnectionChange: (connected) => (connected ? resync() : stopServingLocalCopies()),
   * })
   * ```
   */
  readonly onConnectionChange?: (connected: boolean) => void
}

/**
 * Atomic batches, announced by `capabilities.batch`. A batch's commands of another group
 * (`hset`, `sadd`, `zadd`, `incrby`...) also need that group.
 */
export interface BatchCommands {
  /**
   * Runs the commands atomically (MULTI/EXEC): no other client sees a state in between.
   * On a cluster every key must hash to one slot, else it rejects with code `CROSS_SLOT`
   * before anything runs.
   *
   * @example
   * ```ts
   * await driver.batch([
   *   { op: 'zadd', key: 'messaging:conversation:c1:messages', entries: [{ member: 'm2', score: Date.now() }] },
   *   { op: 'pexpire', key: 'messaging:conversation:c1:messages', ttlMs: 86_400_000 },
   * ]) // [1, true] when m2 is new
   * ```
   */
  batch(commands: readonly BatchCommand[]): Promise<BatchResult[]>
}

/** An atomic compare-and-set, announced by `capabilities.compareAndSet`. */
export interface CompareAndSetCommands {
  /**
   * Replaces `key`'s value with `value` (and its TTL with `ttlMs`) only if it holds `expected`,
   * atomically; resolves whether it did. Core's fence uses it to write a loaded value over the
   * tombstone or stale entry it read in one call.
   *
   * @example
   * ```ts
   * await driver.compareAndSet('identity:patient:42', tombstone, entry, { ttlMs: 600_000 }) // false: invalidated meanwhile
   * ```
   */
  compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean>
}

/**
 * Server-assisted client-side caching (Redis `CLIENT TRACKING`), announced by
 * `capabilities.tracking`: the store tells this process which keys changed, whoever changed them
 * (another process, another service, `redis-cli`). Two-tier caches use it instead of their own
 * bus (`l1: { invalidation: 'tracking' }`).
 */
export interface TrackingCommands {
  /**
   * Turns tracking on for every connection the driver reads through, with NOLOOP (this driver's
   * own writes are not reported back), and calls `listener` with the store keys Redis reports as
   * changed (written, deleted, expired, evicted), or with `null` when anything may have changed
   * (FLUSHALL, FLUSHDB, a tracking table that overflowed). Resolves once tracking is on.
   *
   * - Without `prefixes` (Redis's default mode) only keys this driver read since tracking started
   *   are reported, once per read; Redis sends the report before the reply to any later command
   *   on that connection.
   * - With `prefixes` (broadcast mode, `BCAST PREFIX ...`), every change of a key starting with
   *   one of them is reported, read or not.
   *
   * A lost tracked connection calls `onConnectionChange(false)` as soon as the driver knows
   * (reports may have been missed), and `true` once tracking is on again. Unsubscribing turns
   * tracking off; the listener is not called afterwards. Tracking is one mode per connection: a
   * driver may reject, with an InvalidOptionsError, a second call asking for other `prefixes`
   * while the first is active (a cache asks once).
   *
   * @example
   * ```ts
   * const stop = await driver.trackInvalidations((keys) => (keys === null ? local.clear() : keys.forEach((key) => local.delete(key))), {
   *   prefixes: ['identity:'],
   *   onConnectionChange: (connected) => (connected ? local.resume() : local.suspend()),
   * })
   * ```
   */
  trackInvalidations(listener: (keys: readonly string[] | null) => void, options?: TrackingOptions): Promise<Unsubscribe>
}

/** Options of {@link TrackingCommands.trackInvalidations}. */
export interface TrackingOptions {
  /**
   * Broadcast mode: report every change of a key starting with one of these, read or not.
   *
   * @default undefined (default mode: only keys this driver read)
   * @example
   * ```ts
   * await driver.trackInvalidations(onKeys, { prefixes: ['identity:'] })
   * ```
   */
  readonly prefixes?: readonly string[]
  /**
   * Told `false` as soon as a tracked connection is lost (reports may be missed from then on),
   * `true` once tracking is on again; at most once per change, never after the unsubscribe resolves.
   *
   * @default undefined (not told)
   * @example
   * ```ts
   * await driver.trackInvalidations(onKeys, { onConnectionChange: (connected) => (connected ? resume() : suspend()) })
   * ```
   */
  readonly onConnectionChange?: (connected: boolean) => void
}

/**
 * A base driver with every command group but compareAndSet (still optional, announced by
 * `capabilities.compareAndSet`): what `memoryDriver()`, `ioredisDriver()` and `upstashDriver()`
 * return. Assignable to {@link BaseDriver}; a function that only needs some groups should ask for
 * {@link DriverWith} instead, so a narrower driver fits.
 *
 * @example
 * ```ts
 * import type { Driver } from '@cachette/core'
 *
 * async function addParticipant(driver: Driver, conversationId: string, member: string) {
 *   await driver.sadd(`messaging:conversation:${conversationId}:participants`, [member])
 * }
 * ```
 */
export interface Driver
  extends BaseDriver,
    BinaryCommands,
    CounterCommands,
    InspectionCommands,
    HashCommands,
    SetCommands,
    SortedSetCommands,
    PubSubCommands,
    BatchCommands {}

/** The group `Name` adds when `C` includes it, else nothing (`unknown` vanishes in an intersection). */
type GroupIf<C extends DriverCapability, Name extends DriverCapability, Group> = Name extends C ? Group : unknown

/**
 * A base driver with the command groups of the capabilities `C`: the type a domain package asks
 * for, and what `requireCapabilities()` returns. Behaviour flags (`crossSlotBatch`,
 * `compareAndDelete`) add no method.
 *
 * @example
 * ```ts
 * import { requireCapabilities, type BaseDriver, type DriverWith } from '@cachette/core'
 *
 * type ExportJobDriver = DriverWith<'hashes' | 'batch'>
 * function exportJobs(driver: BaseDriver) {
 *   const store: ExportJobDriver = requireCapabilities(driver, ['hashes', 'batch'], '@acme/fhir-export')
 *   return { start: (id: string) => store.hset(`fhir:export:${id}`, { status: 'running' }) }
 * }
 * ```
 */
export type DriverWith<C extends DriverCapability> = BaseDriver &
  GroupIf<C, 'binary', BinaryCommands> &
  GroupIf<C, 'counters', CounterCommands> &
  GroupIf<C, 'inspection', InspectionCommands> &
  GroupIf<C, 'hashes', HashCommands> &
  GroupIf<C, 'sets', SetCommands> &
  GroupIf<C, 'sortedSets', SortedSetCommands> &
  GroupIf<C, 'pubsub', PubSubCommands> &
  GroupIf<C, 'batch', BatchCommands> &
  GroupIf<C, 'compareAndSet', CompareAndSetCommands> &
  GroupIf<C, 'tracking', TrackingCommands>
