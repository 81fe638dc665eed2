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
  Unsubscribe,
  ZRangeOptions,
} from '@cachette/core'
import type { Redis } from '@upstash/redis'
import { assertIncrement, assertTtl } from './arguments.js'
import { runBatch } from './batch.js'
import { createClient } from './client.js'
import { compareAndDelete } from './compare-and-delete.js'
import { compareAndSet } from './compare-and-set.js'
import { closedError, invalidArgumentError, toCacheError } from './driver-errors.js'
import { parseInfo } from './info.js'
import { deleteKeys, mgetKeys, pairsToRecord } from './key-lists.js'
import {
  connectionFromEnv,
  resolveUpstashOptions,
  type UpstashConnectionOptions,
  type UpstashDriverOptions,
  type UpstashEnv,
} from './options.js'
import { scanKeys } from './scan.js'
import { formatBound, formatScore, parseWithScores, zrangeArguments } from './sorted-sets.js'
import { subscribe, type ActiveSubscription } from './subscription.js'
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
      const args: [string, ...(string | number)[]] = ['SET', key, toWireValue('set', value)]
      if (options?.ttlMs !== undefined) {
        assertTtl('set', options.ttlMs)
        args.push('PX', options.ttlMs)
      }
      if (options?.condition === 'nx') args.push('NX')
      else if (options?.condition === 'xx') args.push('XX')
      return (await this.exec<string | null>(args)) === 'OK'
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
      if (!Number.isSafeInteger(ttlMs)) throw invalidArgumentError('pexpire', 'ttlMs must be an integer')
      return (await this.exec<number>(['PEXPIRE', key, ttlMs])) === 1
    })
  }

  incrby(key: string, by: number): Promise<number> {
    return this.call('incrby', async () => {
      assertIncrement('incrby', by)
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
      const flat = Object.entries(fields).flat()
      return flat.length === 0 ? 0 : this.exec<number>(['HSET', key, ...flat])
    })
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.call('hgetall', async () => pairsToRecord(await this.exec<string[]>(['HGETALL', key])))
  }

  hdel(key: string, fields: readonly string[]): Promise<number> {
    return this.call('hdel', async () => (fields.length === 0 ? 0 : this.exec<number>(['HDEL', key, ...fields])))
  }

  hincrby(key: string, field: string, by: number): Promise<number> {
    return this.call('hincrby', async () => {
      assertIncrement('hincrby', by)
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
      const args: [string, ...string[]] = ['ZADD', key]
      for (const { score, member } of entries) args.push(formatScore('zadd', score), member)
      return this.exec<number>(args)
    })
  }

  zrangeByScore(key: string, min: ScoreBound, max: ScoreBound, options?: ZRangeOptions): Promise<SortedSetEntry[]> {
    return this.call('zrangeByScore', async () => {
      const args = zrangeArguments(key, min, max, options) as [string, ...string[]]
      return parseWithScores(await this.exec<string[]>(args))
    })
  }

  zrem(key: string, members: readonly string[]): Promise<number> {
    return this.call('zrem', async () => (members.length === 0 ? 0 : this.exec<number>(['ZREM', key, ...members])))
  }

  zcard(key: string): Promise<number> {
    return this.call('zcard', () => this.exec<number>(['ZCARD', key]))
  }

  zremRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number> {
    return this.call('zremRangeByScore', async () =>
      this.exec<number>(['ZREMRANGEBYSCORE', key, formatBound('zremRangeByScore', min), formatBound('zremRangeByScore', max)]),
    )
  }

  publish(channel: string, message: string): Promise<number> {
    return this.call('publish', () => this.exec<number>(['PUBLISH', channel, message]))
  }

  subscribe(channel: string, listener: (message: string) => void): Promise<Unsubscribe> {
    return this.call('subscribe', async () => {
      const subscription = await subscribe(this.client, channel, listener, this.settings.subscribeTimeoutMs, (s) => this.subscriptions.delete(s))
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
      if (options?.ttlMs !== undefined) assertTtl('compareAndSet', options.ttlMs)
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
 *   the first break (a limit of the @upstash/redis 1.39 client).
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

/**
 * {@link upstashDriver} from `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`. Missing
 * or malformed variables throw an `InvalidOptionsError` that names them (never their values).
 *
 * @param env - the variables; default `globalThis.process?.env` (pass `env` on edge runtimes,
 *   e.g. a Cloudflare Worker's bindings).
 * @param options - the other connection options (timeout, retries...).
 * @example
 * ```ts
 * import { upstashDriverFromEnv } from '@cachette/upstash'
 *
 * // Node / Vercel: reads process.env
 * const driver = upstashDriverFromEnv()
 * // Cloudflare Workers: export default { fetch(request, env) { const driver = upstashDriverFromEnv(env) } }
 * ```
 */
export function upstashDriverFromEnv(env?: UpstashEnv, options: Omit<UpstashConnectionOptions, 'url' | 'token'> = {}): Driver {
  return upstashDriver({ ...options, ...connectionFromEnv(env) })
}
