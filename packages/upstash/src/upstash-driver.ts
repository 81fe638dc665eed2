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
} from '@cachette/core'
import {
  boundArgument,
  checkExpire,
  checkIncrement,
  checkTtl,
  hgetallRecord,
  hsetArguments,
  parseInfo,
  parseWithScores,
  setArguments,
  zaddArguments,
  zrangeByScoreArguments,
} from '@cachette/core/redis'
import type { Redis } from '@upstash/redis'
import { runBatch } from './batch.js'
import { compareAndDelete } from './compare-and-delete.js'
import { compareAndSet } from './compare-and-set.js'
import { createClient } from './create-client.js'
import { DRIVER_NAME, closedError, toCacheError } from './driver-errors.js'
import { deleteKeys, mgetKeys } from './key-lists.js'
import type { UpstashDriverOptions } from './options.js'
import { subscribe, type ActiveSubscription } from './pubsub.js'
import { resolveUpstashOptions } from './resolve-options.js'
import { scanKeys } from './scan.js'
import { toBytes, toWireValue } from './values.js'

const CAPABILITIES: DriverCapabilities = Object.freeze({
  // Upstash REST carries strings: bytes that are not UTF-8 cannot be written nor read back (values.ts).
  binary: false,
  hashes: true,
  sets: true,
  sortedSets: true,
  pubsub: true,
  batch: true,
  crossSlotBatch: true,
  compareAndDelete: true,
  compareAndSet: true,
})

interface Settings {
  readonly scanCount: number
  readonly subscribeTimeoutMs: number
  /** Known only when the driver created the client. */
  readonly timeoutMs: number | undefined
}

class UpstashDriver implements Driver {
  readonly name = 'upstash'
  readonly capabilities = CAPABILITIES
  private closed = false
  private readonly subscriptions = new Set<ActiveSubscription>()

  constructor(
    private readonly client: Redis,
    private readonly settings: Settings,
  ) {}

  /** Every method goes through here: closed check, then the client's failures mapped to codes. */
  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw closedError(operation)
    try {
      return await work()
    } catch (error) {
      throw toCacheError(operation, error, this.settings.timeoutMs)
    }
  }

  private exec<T>(args: [string, ...(string | number)[]]): Promise<T> {
    return this.client.exec<T>(args)
  }

  get(key: string): Promise<string | null> {
    return this.call('get', () => this.exec<string | null>(['GET', key]))
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    return toBytes(await this.call('getBytes', () => this.exec<string | null>(['GET', key])))
  }

  mget(keys: readonly string[]): Promise<(string | null)[]> {
    return this.call('mget', () => mgetKeys(this.client, keys))
  }

  set(key: string, value: DriverValue, options?: DriverSetOptions): Promise<boolean> {
    return this.call('set', async () => {
      const wire = toWireValue('set', value)
      if (options?.ttlMs !== undefined) checkTtl(DRIVER_NAME, 'set', options.ttlMs)
      return (await this.exec<string | null>(['SET', key, wire, ...setArguments(options?.ttlMs, options?.condition)])) === 'OK'
    })
  }

  delete(keys: readonly string[]): Promise<number> {
    return this.call('delete', () => deleteKeys(this.client, keys))
  }

  exists(keys: readonly string[]): Promise<number> {
    return this.call('exists', async () => (keys.length === 0 ? 0 : this.exec<number>(['EXISTS', ...keys])))
  }

  pttl(key: string): Promise<number> {
    return this.call('pttl', () => this.exec<number>(['PTTL', key]))
  }

  pexpire(key: string, ttlMs: number): Promise<boolean> {
    return this.call('pexpire', async () => {
      checkExpire(DRIVER_NAME, 'pexpire', ttlMs)
      return (await this.exec<number>(['PEXPIRE', key, ttlMs])) === 1
    })
  }

  incrby(key: string, by: number): Promise<number> {
    return this.call('incrby', async () => {
      checkIncrement(DRIVER_NAME, 'incrby', by)
      return this.exec<number>(['INCRBY', key, by])
    })
  }

  scan(pattern: string, options?: DriverScanOptions): AsyncIterable<string> {
    const count = options?.count !== undefined && options.count >= 1 ? Math.floor(options.count) : this.settings.scanCount
    const pages = scanKeys(this.client, pattern, count, () => {
      if (this.closed) throw closedError('scan')
    })
    const timeoutMs = this.settings.timeoutMs
    return (async function* mapErrors() {
      try {
        yield* pages
      } catch (error) {
        throw toCacheError('scan', error, timeoutMs)
      }
    })()
  }

  hset(key: string, fields: Readonly<Record<string, string>>): Promise<number> {
    return this.call('hset', async () => {
      const args = hsetArguments(fields)
      return args.length === 0 ? 0 : this.exec<number>(['HSET', key, ...args])
    })
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.call('hgetall', async () => hgetallRecord(await this.exec<string[]>(['HGETALL', key])))
  }

  hdel(key: string, fields: readonly string[]): Promise<number> {
    return this.call('hdel', async () => (fields.length === 0 ? 0 : this.exec<number>(['HDEL', key, ...fields])))
  }

  hincrby(key: string, field: string, by: number): Promise<number> {
    return this.call('hincrby', async () => {
      checkIncrement(DRIVER_NAME, 'hincrby', by)
      return this.exec<number>(['HINCRBY', key, field, by])
    })
  }

  sadd(key: string, members: readonly string[]): Promise<number> {
    return this.call('sadd', async () => (members.length === 0 ? 0 : this.exec<number>(['SADD', key, ...members])))
  }

  srem(key: string, members: readonly string[]): Promise<number> {
    return this.call('srem', async () => (members.length === 0 ? 0 : this.exec<number>(['SREM', key, ...members])))
  }

  smembers(key: string): Promise<string[]> {
    return this.call('smembers', () => this.exec<string[]>(['SMEMBERS', key]))
  }

  zadd(key: string, entries: readonly SortedSetEntry[]): Promise<number> {
    return this.call('zadd', async () => {
      if (entries.length === 0) return 0
      return this.exec<number>(['ZADD', key, ...zaddArguments(DRIVER_NAME, 'zadd', entries)])
    })
  }

  zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    return this.call('zrangeByScore', async () => {
      const args = zrangeByScoreArguments(DRIVER_NAME, 'zrangeByScore', min, max, options)
      return parseWithScores(await this.exec<string[]>(['ZRANGE', key, ...args]))
    })
  }

  zrem(key: string, members: readonly string[]): Promise<number> {
    return this.call('zrem', async () => (members.length === 0 ? 0 : this.exec<number>(['ZREM', key, ...members])))
  }

  zcard(key: string): Promise<number> {
    return this.call('zcard', () => this.exec<number>(['ZCARD', key]))
  }

  zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    return this.call('zremRangeByScore', async () => {
      const low = boundArgument(DRIVER_NAME, 'zremRangeByScore', min)
      const high = boundArgument(DRIVER_NAME, 'zremRangeByScore', max)
      return this.exec<number>(['ZREMRANGEBYSCORE', key, low, high])
    })
  }

  publish(channel: string, message: string): Promise<number> {
    return this.call('publish', () => this.exec<number>(['PUBLISH', channel, message]))
  }

  subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    return this.call('subscribe', async () => {
      const subscription = await subscribe(this.client, channel, listener, {
        timeoutMs: this.settings.subscribeTimeoutMs,
        onStop: (s) => this.subscriptions.delete(s),
        options,
      })
      this.subscriptions.add(subscription)
      // A close() that ran while the server was confirming must not leave the stream open.
      if (this.closed) {
        await subscription.stop()
        throw closedError('subscribe')
      }
      return subscription.stop
    })
  }

  batch(commands: readonly BatchCommand[]): Promise<BatchResult[]> {
    return this.call('batch', async () => (commands.length === 0 ? [] : runBatch(this.client, commands, this.settings.timeoutMs)))
  }

  compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.call('compareAndDelete', () => compareAndDelete(this.client, key, expected))
  }

  compareAndSet(key: string, expected: string, value: DriverValue, options?: { readonly ttlMs?: number }): Promise<boolean> {
    return this.call('compareAndSet', async () => {
      const wire = toWireValue('compareAndSet', value)
      return compareAndSet(this.client, key, expected, wire, options?.ttlMs)
    })
  }

  ping(): Promise<void> {
    return this.call('ping', async () => {
      await this.exec<string>(['PING'])
    })
  }

  info(): Promise<DriverInfo> {
    return this.call('info', async () => parseInfo(await this.exec<string>(['INFO'])))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // The subscriptions are the only thing this driver opens; an HTTP client has no connection
    // to close, and a client that was handed in stays untouched.
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()))
  }
}

/**
 * A Cachette driver on Upstash Redis over REST (HTTP), through the official `@upstash/redis`
 * client. No Node-only API on its path: it runs on Node, Vercel Edge, Cloudflare Workers, Deno
 * and Bun.
 *
 * - Values are UTF-8 strings (`capabilities.binary` is false): bytes are accepted when they are
 *   valid UTF-8, refused with code `UNSUPPORTED` otherwise.
 * - `mget` / `delete` send one command per 1,000 keys, in one pipeline request; `batch` is one
 *   MULTI/EXEC request; `compareAndDelete` and `compareAndSet` are Lua scripts (EVALSHA, EVAL on NOSCRIPT).
 * - `subscribe` streams server-sent events; a message containing a line break arrives cut at
 *   the first break (the stream is read line by line, as @upstash/redis 1.39 reads it). A lost
 *   stream is re-opened (backing off from 50 ms to 2 s), and `onConnectionChange` is told.
 * - Given `{ client }`, `close()` ends the driver's own subscriptions and nothing else.
 *
 * @param options - `{ url, token }` (the driver creates its client) or `{ client }`; validated
 *   once, an invalid value throws `InvalidOptionsError`.
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { upstashDriver } from '@cachette/upstash'
 *
 * const cache = createCache({
 *   driver: upstashDriver({ url: 'https://eu1-example.upstash.io', token: env.UPSTASH_TOKEN }),
 *   prefix: 'fmpa',
 *   ttl: '5m',
 * })
 * ```
 */
export function upstashDriver(options: UpstashDriverOptions): Driver {
  const resolved = resolveUpstashOptions(options)
  if (resolved.kind === 'client') {
    return new UpstashDriver(resolved.client, { scanCount: resolved.scanCount, subscribeTimeoutMs: resolved.subscribeTimeoutMs, timeoutMs: undefined })
  }
  return new UpstashDriver(createClient(resolved), {
    scanCount: resolved.scanCount,
    subscribeTimeoutMs: resolved.subscribeTimeoutMs,
    timeoutMs: resolved.timeoutMs,
  })
}
