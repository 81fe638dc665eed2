import {
  DriverError,
  type BatchCommand,
  type BatchResult,
  type DriverCapabilities,
  type DriverInfo,
  type DriverScanOptions,
  type DriverSetOptions,
  type DriverValue,
  type ScoreBound,
  type SortedSetEntry,
  type SubscribeOptions,
  type TrackingOptions,
  type Unsubscribe,
  type ZRangeOptions,
} from '@cachette/core'
import {
  boundArgument,
  checkBatch,
  checkExpire,
  checkIncrement,
  checkTtl,
  checkValue,
  groupBySlot,
  hsetArguments,
  keySlot,
  parseInfo,
  parseWithScores,
  setArguments,
  sumInfo,
  zaddArguments,
  zrangeByScoreArguments,
} from '@cachette/core/redis'
import { batchKeys, execBatch } from './batch.js'
import { ClusterTarget } from './cluster-target.js'
import { ClusterTracking } from './cluster-tracking.js'
import { type Argument, type Exec, toBytes, toFlatWithScores, toNumber, toRecord, toText, toTexts, toRedisValue } from './commands.js'
import { DRIVER_NAME } from './driver-errors.js'
import type { ConnectionSource } from './node-connection.js'
import type { RedisDriver, RedisDriverOptions } from './options.js'
import { Subscriptions } from './pubsub.js'
import { openTarget, SUBSCRIBER_OVERRIDES } from './open-target.js'
import { resolveOptions, type ResolvedTuning } from './resolve-options.js'
import { scanKeys } from './scan.js'
import { compareAndDelete, compareAndSet } from './scripts.js'
import { type CommandTarget, StandaloneTarget } from './standalone-target.js'
import { Tracking } from './tracking.js'

/** Splits `items` into slices of at most `size`. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

class NodeRedisDriver implements RedisDriver {
  readonly name = 'redis'
  readonly capabilities: DriverCapabilities
  private readonly subscriptions: Subscriptions
  private readonly tracking: Tracking | ClusterTracking
  private readonly cluster: ClusterTarget | undefined
  private closing: Promise<void> | undefined

  constructor(
    private readonly target: CommandTarget,
    private readonly tuning: ResolvedTuning,
    subscriberSource: () => ConnectionSource,
    onError: (error: Error) => void,
  ) {
    this.cluster = target instanceof ClusterTarget ? target : undefined
    this.capabilities = Object.freeze({
      binary: true,
      counters: true,
      inspection: true,
      hashes: true,
      sets: true,
      sortedSets: true,
      pubsub: true,
      batch: true,
      crossSlotBatch: this.cluster === undefined,
      compareAndDelete: true,
      compareAndSet: true,
      tracking: true,
    })
    this.subscriptions = new Subscriptions(subscriberSource, tuning.deadlineMs, tuning.maxPendingCalls, tuning.socketTimeoutMs, onError)
    this.tracking =
      target instanceof StandaloneTarget
        ? new Tracking(target.connection, target.runner, subscriberSource, tuning.deadlineMs, tuning.maxPendingCalls, tuning.socketTimeoutMs, onError)
        : new ClusterTracking(target as ClusterTarget, tuning.deadlineMs, tuning.maxPendingCalls, tuning.socketTimeoutMs, onError, SUBSCRIBER_OVERRIDES)
  }

  /** One command, one round trip. */
  private call(operation: string, key: string | undefined, args: Argument[], readonly = false): Promise<unknown> {
    return this.target.run(operation, (exec) => exec(key, args, readonly ? READONLY : undefined))
  }

  /** Runs `send` once per slot group of `keys` (once for everything on one server). */
  private perSlot<T>(exec: Exec, keys: readonly string[], send: (exec: Exec, keys: string[], indexes: number[] | undefined) => Promise<T>): Promise<T>[] {
    if (this.cluster === undefined) return [send(exec, [...keys], undefined)]
    return groupBySlot(keys).map((indexes) => send(exec, indexes.map((i) => keys[i] as string), indexes))
  }

  // ---- strings ----------------------------------------------------------------------------
  async get(key: string): Promise<string | null> {
    return toText(await this.call('get', key, ['GET', key], true))
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    return toBytes(await this.target.run('getBytes', (exec) => exec(key, ['GET', key], BYTES)))
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return []
    return this.target.run('mget', async (exec) => {
      const values: (string | null)[] = new Array<string | null>(keys.length).fill(null)
      // On a cluster MGET must stay within one slot: one MGET per slot, answers put back in order.
      await Promise.all(
        this.perSlot(exec, keys, async (send, slotKeys, indexes) => {
          const found = toTexts(await send(slotKeys[0], ['MGET', ...slotKeys], READONLY))
          for (let i = 0; i < found.length; i++) values[indexes === undefined ? i : (indexes[i] as number)] = found[i] ?? null
        }),
      )
      return values
    })
  }

  async set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean> {
    checkValue(DRIVER_NAME, 'set', value)
    if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'set', options.ttlMs)
    const reply = await this.call('set', key, ['SET', key, toRedisValue(value), ...setArguments(options?.ttlMs, options?.condition)])
    return toText(reply) === 'OK'
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    // UNLINK frees memory in a background thread; batches keep each command short. All batches
    // are sent at once, so nothing is left to send after the deadline.
    return this.target.run('delete', async (exec) => {
      const counts = await Promise.all(
        this.perSlot(exec, keys, (send, slotKeys) => Promise.all(chunk(slotKeys, this.tuning.deleteBatchSize).map((batch) => send(batch[0], ['UNLINK', ...batch])))),
      )
      return counts.flat().reduce<number>((sum, count) => sum + toNumber(count), 0)
    })
  }

  async exists(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    return this.target.run('exists', async (exec) => {
      const counts = await Promise.all(this.perSlot(exec, keys, (send, slotKeys) => send(slotKeys[0], ['EXISTS', ...slotKeys], READONLY)))
      return counts.reduce<number>((sum, count) => sum + toNumber(count), 0)
    })
  }

  async pttl(key: string): Promise<number> {
    return toNumber(await this.call('pttl', key, ['PTTL', key], true))
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    checkExpire(DRIVER_NAME, 'pexpire', ttlMs)
    return toNumber(await this.call('pexpire', key, ['PEXPIRE', key, String(ttlMs)])) === 1
  }

  async incrby(key: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'incrby', by)
    return toNumber(await this.call('incrby', key, ['INCRBY', key, String(by)]))
  }

  // ---- keyspace ---------------------------------------------------------------------------
  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string> {
    return scanKeys(this.target, pattern, options?.count ?? this.tuning.scanCount)
  }

  // ---- hashes -----------------------------------------------------------------------------
  async hset(key: string, fields: Readonly<Record<string, string>>): Promise<number> {
    const args = hsetArguments(fields)
    if (args.length === 0) return 0
    return toNumber(await this.call('hset', key, ['HSET', key, ...args]))
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return toRecord(await this.call('hgetall', key, ['HGETALL', key], true))
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0
    return toNumber(await this.call('hdel', key, ['HDEL', key, ...fields]))
  }

  async hincrby(key: string, field: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'hincrby', by)
    return toNumber(await this.call('hincrby', key, ['HINCRBY', key, field, String(by)]))
  }

  // ---- sets -------------------------------------------------------------------------------
  async sadd(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return toNumber(await this.call('sadd', key, ['SADD', key, ...members]))
  }

  async srem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return toNumber(await this.call('srem', key, ['SREM', key, ...members]))
  }

  async smembers(key: string): Promise<string[]> {
    return toTexts(await this.call('smembers', key, ['SMEMBERS', key], true)) as string[]
  }

  // ---- sorted sets ------------------------------------------------------------------------
  async zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number> {
    if (entries.length === 0) return 0
    return toNumber(await this.call('zadd', key, ['ZADD', key, ...zaddArguments(DRIVER_NAME, 'zadd', entries)]))
  }

  async zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    const args = zrangeByScoreArguments(DRIVER_NAME, 'zrangeByScore', min, max, options)
    return parseWithScores(toFlatWithScores(await this.call('zrangeByScore', key, ['ZRANGE', key, ...args], true)))
  }

  async zrem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return toNumber(await this.call('zrem', key, ['ZREM', key, ...members]))
  }

  async zcard(key: string): Promise<number> {
    return toNumber(await this.call('zcard', key, ['ZCARD', key], true))
  }

  async zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    const low = boundArgument(DRIVER_NAME, 'zremRangeByScore', min)
    const high = boundArgument(DRIVER_NAME, 'zremRangeByScore', max)
    return toNumber(await this.call('zremRangeByScore', key, ['ZREMRANGEBYSCORE', key, low, high]))
  }

  // ---- pub/sub ----------------------------------------------------------------------------
  async publish(channel: string, message: string): Promise<number> {
    // On a cluster: routed by the channel's slot, so that one publisher's messages on a channel
    // always go through one node and reach subscribers in order.
    return toNumber(await this.call('publish', channel, ['PUBLISH', channel, message]))
  }

  async subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    if (this.closing !== undefined) throw new DriverError('CLOSED', `[${DRIVER_NAME}] subscribe: the driver was closed`)
    return this.subscriptions.subscribe(channel, listener, options)
  }

  async trackInvalidations(listener: (keys: readonly string[] | null) => void, options?: TrackingOptions): Promise<Unsubscribe> {
    if (this.closing !== undefined) throw new DriverError('CLOSED', `[${DRIVER_NAME}] trackInvalidations: the driver was closed`)
    return this.tracking.track(listener, options)
  }

  // ---- atomicity --------------------------------------------------------------------------
  async batch(commands: readonly BatchCommand[]): Promise<BatchResult[]> {
    if (commands.length === 0) return []
    checkBatch(DRIVER_NAME, commands)
    const keys = batchKeys(commands)
    if (this.cluster !== undefined) {
      // Checked here, not left to Redis: a CROSSSLOT reply would come after some commands were
      // already queued on one node.
      const slot = keys.length > 0 ? keySlot(keys[0] as string) : 0
      if (keys.some((key) => keySlot(key) !== slot)) {
        throw new DriverError('CROSS_SLOT', `[${DRIVER_NAME}] batch: on a cluster every key of a batch must hash to one slot (use a {hash tag})`)
      }
    }
    return execBatch(commands, (queued) => this.target.multi('batch', keys[0], queued))
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.target.run('compareAndDelete', (exec, token) => compareAndDelete(exec, key, expected, token))
  }

  async compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean> {
    checkValue(DRIVER_NAME, 'compareAndSet', value)
    if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'compareAndSet', options.ttlMs)
    return this.target.run('compareAndSet', (exec, token) => compareAndSet(exec, key, expected, toRedisValue(value), options?.ttlMs, token))
  }

  // ---- operations -------------------------------------------------------------------------
  async ping(): Promise<void> {
    await this.call('ping', undefined, ['PING'])
  }

  async info(): Promise<DriverInfo> {
    const masters = await this.target.masters('info')
    const texts = await this.target.run('info', () => Promise.all(masters.map((master) => master(undefined, ['INFO']))))
    const parsed = texts.map((text) => parseInfo(toText(text) ?? ''))
    return parsed.length === 1 ? (parsed[0] as DriverInfo) : sumInfo(parsed)
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  private async shutDown(): Promise<void> {
    await Promise.all([this.tracking.close(), this.subscriptions.close()])
    // QUIT lets replies in flight arrive; a server that does not answer within the deadline
    // (frozen, gone) is cut off.
    await this.target.close(this.tuning.deadlineMs)
  }
}

const READONLY = Object.freeze({ readonly: true })
const BYTES = Object.freeze({ readonly: true, bytes: true })

/**
 * A Cachette driver on node-redis (the `redis` package, 5 or 6): standalone Redis, Sentinel or
 * Cluster, with defaults measured against real failures (a deadline on every call, no offline
 * queue, fail fast while Redis is down, a frozen server's connection dropped, no replay of a
 * timed-out command), pattern work on every master of a cluster, and server-assisted
 * client-side caching (`trackInvalidations`, Redis `CLIENT TRACKING`) on a standalone server,
 * through Sentinel and on every master of a Cluster. Options are validated once; invalid ones throw `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { redisDriver } from '@cachette/redis'
 *
 * const cache = createCache({ driver: redisDriver({ url: 'redis://localhost:6379/0' }), prefix: 'identity' })
 * // Redis Cluster:  redisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }] })
 * // Sentinel:       redisDriver({ sentinel: { sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster' } })
 * // Your client:    redisDriver({ client })   // never closed by the driver
 * ```
 */
export function redisDriver(options: RedisDriverOptions): RedisDriver {
  const { tuning, target } = resolveOptions(options)
  const onError = (error: Error) => tuning.onError?.(error)
  const { commands, subscriberSource } = openTarget(target, tuning, onError)
  return new NodeRedisDriver(commands, tuning, subscriberSource, onError)
}
