import {
  DriverError,
  type BatchCommand,
  type BatchResult,
  type Driver,
  type DriverCapabilities,
  type DriverInfo,
  type DriverScanOptions,
  type DriverSetOptions,
  type DriverValue,
  type ScoreBound,
  type SortedSetEntry,
  type SubscribeOptions,
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
import { CallRunner, type ConnectionLike } from './call-runner.js'
import { ClusterConnection } from './cluster-connection.js'
import { distinctMasters, slotMaster } from './cluster-nodes.js'
import type { ClusterCommandClient, CommandClient } from './commands.js'
import { compareAndDelete } from './compare-and-delete.js'
import { compareAndSet } from './compare-and-set.js'
import { createClient } from './create-client.js'
import { DRIVER_NAME, sanitizeError } from './driver-errors.js'
import type { IoredisDriverOptions } from './options.js'
import { resolveOptions, type ResolvedTuning } from './resolve-options.js'
import { Subscriptions } from './pubsub.js'
import { scanKeys } from './scan.js'
import { toBytes, toRedisValue } from './values.js'
import { WriteCoalescer, socketsOf } from './write-coalescer.js'

/** Splits `items` into slices of at most `size`. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

class IoredisDriver implements Driver {
  readonly name = 'ioredis'
  readonly capabilities: DriverCapabilities
  private readonly runner: CallRunner
  private readonly subscriptions: Subscriptions
  private readonly cluster: ClusterCommandClient | undefined
  private readonly clusterConnection: ClusterConnection | undefined
  private closing: Promise<void> | undefined

  constructor(
    private readonly client: CommandClient,
    private readonly tuning: ResolvedTuning,
    private readonly ownsClient: boolean,
    private readonly onError: (error: unknown) => void,
  ) {
    this.cluster = client.isCluster === true ? (client as ClusterCommandClient) : undefined
    this.capabilities = Object.freeze({
      binary: true,
      hashes: true,
      sets: true,
      sortedSets: true,
      pubsub: true,
      batch: true,
      crossSlotBatch: this.cluster === undefined,
      compareAndDelete: true,
      compareAndSet: true,
    })
    const coalescer = tuning.coalesceWrites ? new WriteCoalescer(socketsOf(client, this.cluster)) : undefined
    // On a cluster, calls wait for the masters' connections too (see ClusterConnection).
    this.clusterConnection = this.cluster === undefined ? undefined : new ClusterConnection(this.cluster, tuning.deadlineMs)
    const connection = this.clusterConnection ?? (client as unknown as ConnectionLike)
    this.runner = new CallRunner(connection, tuning.deadlineMs, tuning.maxPendingCalls, coalescer)
    this.subscriptions = new Subscriptions(client, tuning.deadlineMs, tuning.maxPendingCalls, onError)
  }

  /** Runs `send` once per slot group of `keys` (once for everything on a standalone server). */
  private perSlot<T>(keys: readonly string[], send: (keys: string[], indexes: number[] | undefined) => Promise<T>): Promise<T>[] {
    if (this.cluster === undefined) return [send([...keys], undefined)]
    const sends: Promise<T>[] = []
    for (const indexes of groupBySlot(keys)) sends.push(send(indexes.map((i) => keys[i] as string), indexes))
    return sends
  }

  // ---- strings ----------------------------------------------------------------------------
  async get(key: string): Promise<string | null> {
    return this.runner.run('get', () => this.client.get(key))
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const buffer = await this.runner.run('getBytes', () => this.client.getBuffer(key))
    return buffer === null ? null : toBytes(buffer)
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return []
    return this.runner.run('mget', async () => {
      const values: (string | null)[] = new Array<string | null>(keys.length).fill(null)
      // On a cluster MGET must stay within one slot: one MGET per slot, answers put back in order.
      await Promise.all(
        this.perSlot(keys, async (slotKeys, indexes) => {
          const found = await this.client.mget(...slotKeys)
          for (let i = 0; i < found.length; i++) values[indexes === undefined ? i : (indexes[i] as number)] = found[i] ?? null
        }),
      )
      return values
    })
  }

  async set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean> {
    checkValue(DRIVER_NAME, 'set', value)
    if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'set', options.ttlMs)
    const reply = await this.runner.run('set', () => this.client.set(key, toRedisValue(value), ...setArguments(options?.ttlMs, options?.condition)))
    return reply === 'OK'
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    // UNLINK frees memory in a background thread; batches keep each command short so other
    // clients are served in between. All batches are sent at once (pipelined), so nothing is
    // left to send after the deadline.
    const counts = await this.runner.run('delete', () =>
      Promise.all(
        this.perSlot(keys, (slotKeys) =>
          Promise.all(chunk(slotKeys, this.tuning.deleteBatchSize).map((batch) => this.client.unlink(...batch))).then((parts) =>
            parts.reduce((sum, part) => sum + part, 0),
          ),
        ),
      ),
    )
    return counts.reduce((sum, count) => sum + count, 0)
  }

  async exists(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    const counts = await this.runner.run('exists', () => Promise.all(this.perSlot(keys, (slotKeys) => this.client.exists(...slotKeys))))
    return counts.reduce((sum, count) => sum + count, 0)
  }

  async pttl(key: string): Promise<number> {
    return this.runner.run('pttl', () => this.client.pttl(key))
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    checkExpire(DRIVER_NAME, 'pexpire', ttlMs)
    return (await this.runner.run('pexpire', () => this.client.pexpire(key, ttlMs))) === 1
  }

  async incrby(key: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'incrby', by)
    return this.runner.run('incrby', () => this.client.incrby(key, by))
  }

  // ---- keyspace ---------------------------------------------------------------------------
  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string> {
    return scanKeys(this.runner, this.client, this.cluster, pattern, options?.count ?? this.tuning.scanCount)
  }

  // ---- hashes -----------------------------------------------------------------------------
  async hset(key: string, fields: Readonly<Record<string, string>>): Promise<number> {
    const args = hsetArguments(fields)
    if (args.length === 0) return 0
    return this.runner.run('hset', () => this.client.hset(key, ...args))
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return this.runner.run('hgetall', () => this.client.hgetall(key))
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0
    return this.runner.run('hdel', () => this.client.hdel(key, ...fields))
  }

  async hincrby(key: string, field: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'hincrby', by)
    return this.runner.run('hincrby', () => this.client.hincrby(key, field, by))
  }

  // ---- sets -------------------------------------------------------------------------------
  async sadd(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return this.runner.run('sadd', () => this.client.sadd(key, ...members))
  }

  async srem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return this.runner.run('srem', () => this.client.srem(key, ...members))
  }

  async smembers(key: string): Promise<string[]> {
    return this.runner.run('smembers', () => this.client.smembers(key))
  }

  // ---- sorted sets ------------------------------------------------------------------------
  async zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number> {
    if (entries.length === 0) return 0
    const args = zaddArguments(DRIVER_NAME, 'zadd', entries)
    return Number(await this.runner.run('zadd', () => this.client.zadd(key, ...args)))
  }

  async zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    const args = zrangeByScoreArguments(DRIVER_NAME, 'zrangeByScore', min, max, options)
    return parseWithScores(await this.runner.run('zrangeByScore', () => this.client.zrange(key, ...args)))
  }

  async zrem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return this.runner.run('zrem', () => this.client.zrem(key, ...members))
  }

  async zcard(key: string): Promise<number> {
    return this.runner.run('zcard', () => this.client.zcard(key))
  }

  async zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    const low = boundArgument(DRIVER_NAME, 'zremRangeByScore', min)
    const high = boundArgument(DRIVER_NAME, 'zremRangeByScore', max)
    return this.runner.run('zremRangeByScore', () => this.client.zremrangebyscore(key, low, high))
  }

  // ---- pub/sub ----------------------------------------------------------------------------
  async publish(channel: string, message: string): Promise<number> {
    const cluster = this.cluster
    return this.runner.run('publish', () => {
      // On a cluster: through the master of the channel's slot (see slotMaster), so that one
      // publisher's messages on a channel reach subscribers in order.
      const node = cluster === undefined ? undefined : slotMaster(cluster, keySlot(channel))
      return (node ?? this.client).publish(channel, message)
    })
  }

  async subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    if (this.closing !== undefined) throw new DriverError('CLOSED', '[@cachette/ioredis] subscribe: the driver was closed')
    return this.subscriptions.subscribe(channel, listener, options)
  }

  // ---- atomicity --------------------------------------------------------------------------
  async batch(commands: readonly BatchCommand[]): Promise<BatchResult[]> {
    if (commands.length === 0) return []
    checkBatch(DRIVER_NAME, commands)
    if (this.cluster !== undefined) {
      // Checked here, not left to Redis: a CROSSSLOT reply would come after some commands were
      // already queued on one node, and ioredis would route the MULTI by its first key only.
      const keys = batchKeys(commands)
      const slot = keys.length > 0 ? keySlot(keys[0] as string) : 0
      if (keys.some((key) => keySlot(key) !== slot)) {
        throw new DriverError('CROSS_SLOT', '[@cachette/ioredis] batch: on a cluster every key of a batch must hash to one slot (use a {hash tag})')
      }
    }
    return this.runner.run('batch', () => execBatch(this.client.multi(), commands))
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.runner.run('compareAndDelete', (token) => compareAndDelete(this.client, key, expected, token))
  }

  async compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean> {
    checkValue(DRIVER_NAME, 'compareAndSet', value)
    if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'compareAndSet', options.ttlMs)
    return this.runner.run('compareAndSet', (token) => compareAndSet(this.client, key, expected, toRedisValue(value), options?.ttlMs, token))
  }

  // ---- operations -------------------------------------------------------------------------
  async ping(): Promise<void> {
    await this.runner.run('ping', () => this.client.ping())
  }

  async info(): Promise<DriverInfo> {
    const cluster = this.cluster
    if (cluster === undefined) return parseInfo(await this.runner.run('info', () => this.client.info()))
    const texts = await this.runner.run('info', () => Promise.all(distinctMasters(cluster).map((node) => node.info())))
    return sumInfo(texts.map(parseInfo))
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  private async shutDown(): Promise<void> {
    this.runner.close()
    this.clusterConnection?.close()
    this.subscriptions.close()
    if (!this.ownsClient) return
    // QUIT lets replies in flight arrive; a server that does not answer within the deadline
    // (frozen, gone) is cut off with disconnect().
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.tuning.deadlineMs)
    })
    await Promise.race([this.client.quit().catch(() => undefined), deadline])
    clearTimeout(timer)
    this.client.disconnect()
  }
}

/**
 * A Cachette {@link Driver} on ioredis: standalone Redis, Sentinel or Cluster, with defaults
 * measured against real failures (no unbounded offline queue, a deadline on every call,
 * keep-alive, frozen-server detection, READONLY after failover handled). Options are validated
 * once; invalid ones throw `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { ioredisDriver } from '@cachette/ioredis'
 *
 * const cache = createCache({ driver: ioredisDriver({ url: 'redis://localhost:6379/0' }), prefix: 'identity' })
 * // Redis Cluster:  ioredisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }] })
 * // Sentinel:       ioredisDriver({ sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster' })
 * // Your client:    ioredisDriver({ client: redis })   // never closed by the driver
 * ```
 */
export function ioredisDriver(options: IoredisDriverOptions): Driver {
  const { tuning, target } = resolveOptions(options)
  const owned = target.kind !== 'client'
  const client = (target.kind === 'client' ? target.client : createClient(target, tuning)) as unknown as CommandClient
  const onError = (error: unknown) => tuning.onError?.(sanitizeError(error))
  // ioredis emits 'error' on every failed (re)connection; a connection we opened must have a
  // listener, or each one is printed as "[ioredis] Unhandled error event". A client handed in is
  // its owner's to listen to.
  if (owned) client.on('error', onError)
  return new IoredisDriver(client, tuning, owned, onError)
}
