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
  compareAndSetArguments,
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
import { Decoder, type GlideClient, type GlideClusterClient, type GlideString } from '@valkey/valkey-glide'
import { batchKeys, execBatch } from './batch.js'
import { CallRunner } from './call-runner.js'
import { chunk, command, isCluster, nodeReplies, toGlideValue, toText } from './commands.js'
import { createClient, createSubscriberClient, quietGlideLogger, type AnyGlideClient } from './create-client.js'
import { DRIVER_NAME } from './driver-errors.js'
import type { GlideDriverOptions } from './options.js'
import { Subscriptions } from './pubsub.js'
import { resolveOptions, type ResolvedTuning } from './resolve-options.js'
import { scanCluster, scanStandalone } from './scan.js'
import { DriverScripts } from './scripts.js'

/** What pub/sub needs: a way to open the dedicated subscriber client, when the driver may. */
type OpenSubscriber = ((onMessage: Parameters<typeof createSubscriberClient>[2]) => Promise<AnyGlideClient>) | undefined

class GlideDriver implements Driver {
  readonly name = 'valkey-glide'
  readonly capabilities: DriverCapabilities
  private readonly runner: CallRunner
  private readonly scripts = new DriverScripts()
  private readonly subscriptions: Subscriptions | undefined
  private client: Promise<AnyGlideClient> | undefined
  private closing: Promise<void> | undefined

  constructor(
    private readonly openClient: () => Promise<AnyGlideClient>,
    private readonly cluster: boolean,
    private readonly tuning: ResolvedTuning,
    private readonly ownsClient: boolean,
    openSubscriber: OpenSubscriber,
  ) {
    this.capabilities = Object.freeze({
      binary: true,
      hashes: true,
      sets: true,
      sortedSets: true,
      pubsub: openSubscriber !== undefined,
      batch: true,
      crossSlotBatch: !cluster,
      compareAndDelete: true,
      compareAndSet: true,
      counters: true,
      inspection: true,
    })
    this.runner = new CallRunner(tuning.deadlineMs, tuning.maxPendingCalls, () => this.send(['PING']))
    this.subscriptions = openSubscriber === undefined ? undefined : new Subscriptions(openSubscriber, tuning.deadlineMs, tuning.pubsubCheckIntervalMs)
  }

  /** The command client; a creation that failed is tried again by the next call. */
  private readonly glide = (): Promise<AnyGlideClient> => {
    if (this.client === undefined) {
      const opening = this.openClient()
      this.client = opening
      opening.catch(() => {
        if (this.client === opening) this.client = undefined
      })
    }
    return this.client
  }

  private async send<T>(args: GlideString[], bytes = false): Promise<T> {
    return command<T>(await this.glide(), args, bytes)
  }

  /** Runs `send` once per slot group of `keys` (once for everything on a standalone server). */
  private perSlot<T>(keys: readonly string[], send: (keys: string[], indexes: number[] | undefined) => Promise<T>): Promise<T>[] {
    if (!this.cluster) return [send([...keys], undefined)]
    return groupBySlot(keys).map((indexes) => send(indexes.map((i) => keys[i] as string), indexes))
  }

  // ---- strings ----------------------------------------------------------------------------
  async get(key: string): Promise<string | null> {
    return toText(await this.runner.run('get', () => this.send<GlideString | null>(['GET', key], true)))
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const value = await this.runner.run('getBytes', () => this.send<Buffer | null>(['GET', key], true))
    // A copy: GLIDE may hand out a view of a larger buffer.
    return value === null ? null : new Uint8Array(value)
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return []
    return this.runner.run('mget', async () => {
      const values: (string | null)[] = new Array<string | null>(keys.length).fill(null)
      // On a cluster MGET must stay within one slot: one MGET per slot, answers put back in order.
      await Promise.all(
        this.perSlot(keys, async (slotKeys, indexes) => {
          const found = await this.send<(Buffer | null)[]>(['MGET', ...slotKeys], true)
          for (let i = 0; i < found.length; i++) values[indexes === undefined ? i : (indexes[i] as number)] = toText(found[i])
        }),
      )
      return values
    })
  }

  async set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean> {
    checkValue(DRIVER_NAME, 'set', value)
    if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'set', options.ttlMs)
    const args = ['SET', key, toGlideValue(value), ...setArguments(options?.ttlMs, options?.condition)]
    return (await this.runner.run('set', () => this.send<string | null>(args))) === 'OK'
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    // UNLINK frees memory in a background thread; batches keep each command short. All batches
    // are sent at once, so nothing is left to send after the deadline.
    const counts = await this.runner.run('delete', () =>
      Promise.all(this.perSlot(keys, (slotKeys) => Promise.all(chunk(slotKeys, this.tuning.deleteBatchSize).map((batch) => this.send<number>(['UNLINK', ...batch]))))),
    )
    return counts.flat().reduce((sum, count) => sum + Number(count), 0)
  }

  async exists(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    const counts = await this.runner.run('exists', () => Promise.all(this.perSlot(keys, (slotKeys) => this.send<number>(['EXISTS', ...slotKeys]))))
    return counts.reduce((sum, count) => sum + Number(count), 0)
  }

  async pttl(key: string): Promise<number> {
    return Number(await this.runner.run('pttl', () => this.send<number>(['PTTL', key])))
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    checkExpire(DRIVER_NAME, 'pexpire', ttlMs)
    const reply = await this.runner.run('pexpire', () => this.send<number | boolean>(['PEXPIRE', key, String(ttlMs)]))
    return reply === 1 || reply === true
  }

  async incrby(key: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'incrby', by)
    return Number(await this.runner.run('incrby', () => this.send<number>(['INCRBY', key, String(by)])))
  }

  // ---- keyspace ---------------------------------------------------------------------------
  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string> {
    const count = options?.count ?? this.tuning.scanCount
    if (this.cluster) return scanCluster(this.runner, this.glide as () => Promise<GlideClusterClient>, pattern, count)
    return scanStandalone(this.runner, this.glide as () => Promise<GlideClient>, pattern, count)
  }

  // ---- hashes -----------------------------------------------------------------------------
  async hset(key: string, fields: Readonly<Record<string, string>>): Promise<number> {
    const args = hsetArguments(fields)
    if (args.length === 0) return 0
    return Number(await this.runner.run('hset', () => this.send<number>(['HSET', key, ...args])))
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    const reply = await this.runner.run('hgetall', async () => (await this.glide()).hgetall(key, { decoder: Decoder.Bytes }))
    // Own properties: a field named __proto__ stays a field.
    return Object.fromEntries(reply.map((entry) => [toText(entry.field) as string, toText(entry.value) as string]))
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0
    return Number(await this.runner.run('hdel', () => this.send<number>(['HDEL', key, ...fields])))
  }

  async hincrby(key: string, field: string, by: number): Promise<number> {
    checkIncrement(DRIVER_NAME, 'hincrby', by)
    return Number(await this.runner.run('hincrby', () => this.send<number>(['HINCRBY', key, field, String(by)])))
  }

  // ---- sets -------------------------------------------------------------------------------
  async sadd(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return Number(await this.runner.run('sadd', () => this.send<number>(['SADD', key, ...members])))
  }

  async srem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return Number(await this.runner.run('srem', () => this.send<number>(['SREM', key, ...members])))
  }

  async smembers(key: string): Promise<string[]> {
    const members = await this.runner.run('smembers', async () => (await this.glide()).smembers(key, { decoder: Decoder.Bytes }))
    return [...members].map((member) => toText(member) as string)
  }

  // ---- sorted sets ------------------------------------------------------------------------
  async zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number> {
    if (entries.length === 0) return 0
    const args = zaddArguments(DRIVER_NAME, 'zadd', entries)
    return Number(await this.runner.run('zadd', () => this.send<number>(['ZADD', key, ...args])))
  }

  async zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    const args = zrangeByScoreArguments(DRIVER_NAME, 'zrangeByScore', min, max, options)
    const reply = await this.runner.run('zrangeByScore', async () =>
      (await this.glide()).invokeScript(this.scripts.zrangeWithScores, { keys: [key], args, decoder: Decoder.Bytes }),
    )
    return parseWithScores((reply as Buffer[]).map((item) => toText(item) as string))
  }

  async zrem(key: string, members: readonly string[]): Promise<number> {
    if (members.length === 0) return 0
    return Number(await this.runner.run('zrem', () => this.send<number>(['ZREM', key, ...members])))
  }

  async zcard(key: string): Promise<number> {
    return Number(await this.runner.run('zcard', () => this.send<number>(['ZCARD', key])))
  }

  async zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    const low = boundArgument(DRIVER_NAME, 'zremRangeByScore', min)
    const high = boundArgument(DRIVER_NAME, 'zremRangeByScore', max)
    return Number(await this.runner.run('zremRangeByScore', () => this.send<number>(['ZREMRANGEBYSCORE', key, low, high])))
  }

  // ---- pub/sub ----------------------------------------------------------------------------
  async publish(channel: string, message: string): Promise<number> {
    if (this.subscriptions === undefined) throw this.noPubSub('publish')
    // GLIDE's publish takes the message first.
    return Number(await this.runner.run('publish', async () => (await this.glide()).publish(message, channel)))
  }

  async subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    if (this.closing !== undefined) throw new DriverError('CLOSED', `[${DRIVER_NAME}] subscribe: the driver was closed`)
    if (this.subscriptions === undefined) throw this.noPubSub('subscribe')
    return this.subscriptions.subscribe(channel, listener, options)
  }

  private noPubSub(operation: string): DriverError {
    return new DriverError(
      'UNSUPPORTED',
      `[${DRIVER_NAME}] ${operation}: pub/sub needs a subscriber client the driver opens itself; pass addresses instead of a client (capabilities.pubsub is false)`,
    )
  }

  // ---- atomicity --------------------------------------------------------------------------
  async batch(commands: readonly BatchCommand[]): Promise<BatchResult[]> {
    if (commands.length === 0) return []
    checkBatch(DRIVER_NAME, commands)
    if (this.cluster) {
      // Checked here, before anything is queued: an atomic batch must live on one node.
      const keys = batchKeys(commands)
      const slot = keys.length > 0 ? keySlot(keys[0] as string) : 0
      if (keys.some((key) => keySlot(key) !== slot)) {
        throw new DriverError('CROSS_SLOT', `[${DRIVER_NAME}] batch: on a cluster every key of a batch must hash to one slot (use a {hash tag})`)
      }
    }
    return this.runner.run('batch', async () => execBatch(await this.glide(), this.cluster, commands))
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const reply = await this.runner.run('compareAndDelete', async () => (await this.glide()).invokeScript(this.scripts.compareAndDelete, { keys: [key], args: [expected] }))
    return Number(reply) === 1
  }

  async compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean> {
    checkValue(DRIVER_NAME, 'compareAndSet', value)
    const [, compared, next, ttl] = compareAndSetArguments(DRIVER_NAME, key, expected, toGlideValue(value), options?.ttlMs)
    const reply = await this.runner.run('compareAndSet', async () =>
      (await this.glide()).invokeScript(this.scripts.compareAndSet, { keys: [key], args: [compared, next, ttl] }),
    )
    return Number(reply) === 1
  }

  // ---- operations -------------------------------------------------------------------------
  async ping(): Promise<void> {
    await this.runner.run('ping', () => this.send(['PING']))
  }

  async info(): Promise<DriverInfo> {
    if (!this.cluster) return parseInfo(toText(await this.runner.run('info', () => this.send<GlideString>(['INFO']))) ?? '')
    const perNode = await this.runner.run('info', async () => (await this.glide()).customCommand(['INFO'], { route: 'allPrimaries' } as never))
    // One text per primary: GLIDE 2.x answers a multi-node route as [{ key: address, value }].
    const texts = nodeReplies(perNode).map((text) => toText(text) ?? '')
    return sumInfo(texts.map(parseInfo))
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  private async shutDown(): Promise<void> {
    this.runner.close()
    this.subscriptions?.close()
    const client = this.client
    this.client = undefined
    if (this.ownsClient && client !== undefined) {
      await client.then(
        (opened) => opened.close(),
        () => undefined,
      )
    }
    this.scripts.release()
  }
}

/**
 * A Cachette {@link Driver} on Valkey GLIDE (`@valkey/valkey-glide`): standalone or cluster, with
 * a deadline on every call, fail-fast while the server is unreachable, and a bound on calls in
 * flight. Options are validated once; invalid ones throw `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { glideDriver } from '@cachette/valkey-glide'
 *
 * const cache = createCache({ driver: glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }] }), prefix: 'identity' })
 * // Cluster:      glideDriver({ addresses: [{ host: '10.0.0.1', port: 7000 }], clusterMode: true })
 * // TLS:          glideDriver({ addresses, useTLS: true, tls: { rootCertificates: caPem } })
 * // Your client:  glideDriver({ client })   // never closed by the driver; no pub/sub
 * ```
 */
export function glideDriver(options: GlideDriverOptions): Driver {
  const { tuning, target } = resolveOptions(options)
  quietGlideLogger()
  if (target.kind === 'client') {
    const client = target.client
    return new GlideDriver(() => Promise.resolve(client), isCluster(client), tuning, false, undefined)
  }
  const connection = target.connection
  return new GlideDriver(
    () => createClient(connection, tuning),
    connection.clusterMode === true,
    tuning,
    true,
    (onMessage) => createSubscriberClient(connection, tuning, onMessage),
  )
}
