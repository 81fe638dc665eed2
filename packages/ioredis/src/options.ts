import type { ConnectionOptions } from 'node:tls'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'

/**
 * Options of `ioredisDriver()`: one way to reach Redis (a client, a URL, host/port, Sentinel or
 * Cluster) plus the tuning below. Validated once by `resolveOptions()` (resolve-options.ts).
 */

/** Tuning shared by every form of {@link IoredisDriverOptions}. Each default was chosen by measuring real failures (see docs/drivers.md). */
export interface IoredisDriverTuning {
  /**
   * Deadline of every driver call in milliseconds, from the call to its answer, however many
   * round trips it takes (a cluster MGET fans out; a SCAN page is one call). Past it the call
   * rejects with `DeadlineExceededError`, and a call still waiting for a connection then is never
   * sent. ioredis alone waits forever on a frozen server. The default matches `createCache`'s
   * `deadlineMs`, so nothing the driver sends outlives the cache call that asked for it.
   * @default 500
   * @example
   * ```ts
   * const driver = ioredisDriver({ url: 'redis://redis.internal:6379', deadlineMs: 100 }) // a Redis on the same network
   * createCache({ driver, deadlineMs: 100 })
   * ```
   */
  readonly deadlineMs?: number
  /**
   * ioredis `connectTimeout`: how long one TCP connect may take.
   * @default 2000
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', connectTimeoutMs: 1000 })
   * ```
   */
  readonly connectTimeoutMs?: number
  /**
   * TCP keep-alive initial delay (ioredis `keepAlive`), so a silently dropped connection (a NAT
   * or load balancer forgetting it) is noticed. 0 turns keep-alive off.
   * @default 10000
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', keepAliveMs: 30_000 }) // below an AWS NAT gateway's 350 s idle timeout
   * ```
   */
  readonly keepAliveMs?: number
  /**
   * ioredis `socketTimeout`: when commands wait and not one byte arrives for this long, the socket
   * is destroyed and reconnected. This is what unblocks a connection to a frozen (SIGSTOP) server;
   * without it replies queue in memory until the server wakes up, and every command written in
   * the meantime runs when it does. Once nothing has arrived for a whole deadline, every call
   * waiting on that socket has failed anyway. Must be >= `deadlineMs`.
   * @default deadlineMs
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', deadlineMs: 200, socketTimeoutMs: 1000 })
   * ```
   */
  readonly socketTimeoutMs?: number
  /**
   * Calls that may wait for a connection attempt in progress (startup, reconnect). Beyond that,
   * and whenever the connection is known down, calls fail at once instead of queueing.
   * @default 1000
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', maxPendingCalls: 5000 })
   * ```
   */
  readonly maxPendingCalls?: number
  /**
   * SCAN COUNT hint: keys examined per SCAN round trip.
   * @default 250
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', scanCount: 1000 }) // fewer round trips for deletePattern on a large keyspace
   * ```
   */
  readonly scanCount?: number
  /**
   * Keys per UNLINK command when deleting many keys.
   * @default 500
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', deleteBatchSize: 100 })
   * ```
   */
  readonly deleteBatchSize?: number
  /**
   * Coalesce the commands issued in one event-loop turn into one socket write. The first command
   * of a turn is written at once; from the second on, the socket is corked until the turn's code
   * and promise reactions are done (`process.nextTick`), so a `Promise.all` of 100 reads costs
   * about 2 system calls instead of 100. A lone call is not delayed. Commands keep their order.
   * Turn it off only to compare, or to watch one write per command in a packet capture.
   * @default true
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', coalesceWrites: false })
   * ```
   */
  readonly coalesceWrites?: boolean
  /**
   * Receives the connection errors ioredis reports (refused connection, reset, socket timeout)
   * while it reconnects. The driver listens for them so none is unhandled; it never logs.
   * Messages of these errors carry no keys or values.
   * @default undefined (ignored)
   * @example
   * ```ts
   * ioredisDriver({ url: 'redis://redis.internal:6379', onError: (error) => log.warn({ err: error }, 'redis connection error') })
   * ```
   */
  readonly onError?: (error: Error) => void
}

/** Where TLS is configured: `true` for defaults, or Node's `tls.connect` options. */
export type IoredisTls = boolean | ConnectionOptions

/** A `host`/`port` pair of a Sentinel or Cluster node. */
export interface IoredisNodeAddress {
  /**
   * Host name or IP.
   * @example
   * ```ts
   * ioredisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }] })
   * ```
   */
  readonly host: string
  /**
   * TCP port.
   * @example
   * ```ts
   * ioredisDriver({ sentinels: [{ host: 'sentinel-1', port: 26379 }, { host: 'sentinel-2', port: 26379 }], name: 'mymaster' })
   * ```
   */
  readonly port: number
}

/** Credentials and TLS for the forms that open connections. */
export interface IoredisConnectionAuth {
  /**
   * ACL user name.
   * @default undefined (the default user)
   * @example
   * ```ts
   * ioredisDriver({ host: 'redis.internal', username: 'identity-api', password: process.env.REDIS_PASSWORD })
   * ```
   */
  readonly username?: string
  /**
   * Password (AUTH).
   * @default undefined
   * @example
   * ```ts
   * ioredisDriver({ host: 'redis.internal', password: process.env.REDIS_PASSWORD })
   * ```
   */
  readonly password?: string
  /**
   * TLS; a `rediss://` URL turns it on too. With Sentinel it secures the connection to the master
   * (the driver sets ioredis' `enableTLSForSentinelMode`); TLS to the Sentinels themselves is
   * ioredis' `sentinelTLS`, in `redisOptions`.
   * @default false
   * @example
   * ```ts
   * ioredisDriver({ host: 'redis.internal', port: 6380, tls: true })
   * ioredisDriver({ host: 'redis.internal', port: 6380, tls: { ca: readFileSync('/etc/ssl/certs/redis-ca.pem') } })
   * ```
   */
  readonly tls?: IoredisTls
}

/**
 * How `ioredisDriver()` reaches Redis, plus {@link IoredisDriverTuning}.
 *
 * - `{ client }`: an ioredis `Redis` or `Cluster` you created and will close yourself.
 * - `{ url }`: `redis://[user:pass@]host:port/db` or `rediss://` for TLS.
 * - `{ host, port, db, password, tls }`.
 * - `{ sentinels, name }`: a Sentinel group and the master name it monitors.
 * - `{ cluster }`: Redis Cluster startup nodes.
 */
export type IoredisDriverOptions = IoredisDriverTuning &
  (
    | {
        /**
         * A client you own: the driver never closes it, and never changes its options.
         * @example
         * ```ts
         * const redis = new Redis('redis://redis.internal:6379') // import { Redis } from 'ioredis'
         * ioredisDriver({ client: redis }) // close redis yourself: await redis.quit()
         * ```
         */
        readonly client: Redis | Cluster
      }
    | ({
        /**
         * `redis://` or `rediss://` URL: `redis://[user[:password]@]host[:port][/db]`. `username`,
         * `password` and `redisOptions.db` fill what the URL leaves out; a field set both in the URL
         * and as an option throws `InvalidOptionsError` (ioredis alone would silently let the URL's
         * win, even an empty password).
         * @example
         * ```ts
         * ioredisDriver({ url: 'redis://redis.internal:6379' }) // e.g. rediss://redis.internal:6380/0
         * ```
         */
        readonly url: string
        /**
         * Extra ioredis options, applied over the driver's defaults.
         * @default {}
         * @example
         * ```ts
         * ioredisDriver({ url: 'redis://redis.internal:6379', redisOptions: { connectionName: 'identity-api' } })
         * ```
         */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /**
         * Host name or IP.
         * @default 'localhost'
         * @example
         * ```ts
         * ioredisDriver({ host: 'redis.internal' })
         * ```
         */
        readonly host?: string
        /**
         * TCP port.
         * @default 6379
         * @example
         * ```ts
         * ioredisDriver({ host: 'redis.internal', port: 6380 })
         * ```
         */
        readonly port?: number
        /**
         * Database index.
         * @default 0
         * @example
         * ```ts
         * ioredisDriver({ host: 'redis.internal', db: 2 })
         * ```
         */
        readonly db?: number
        /**
         * Extra ioredis options, applied over the driver's defaults.
         * @default {}
         * @example
         * ```ts
         * ioredisDriver({ host: 'redis.internal', redisOptions: { family: 6 } }) // resolve the host over IPv6
         * ```
         */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /**
         * Sentinel addresses.
         * @example
         * ```ts
         * const sentinels = [{ host: 'sentinel-1', port: 26379 }, { host: 'sentinel-2', port: 26379 }, { host: 'sentinel-3', port: 26379 }]
         * ioredisDriver({ sentinels, name: 'mymaster' })
         * ```
         */
        readonly sentinels: readonly IoredisNodeAddress[]
        /**
         * The master name the Sentinels monitor.
         * @example
         * ```ts
         * ioredisDriver({ sentinels, name: 'mymaster' }) // the name in `sentinel monitor mymaster ...`
         * ```
         */
        readonly name: string
        /**
         * Database index.
         * @default 0
         * @example
         * ```ts
         * ioredisDriver({ sentinels, name: 'mymaster', db: 1 })
         * ```
         */
        readonly db?: number
        /**
         * Password of the Sentinels themselves.
         * @default undefined
         * @example
         * ```ts
         * // sentinelPassword: the Sentinels' own AUTH; password: the master's and replicas'
         * ioredisDriver({ sentinels, name: 'mymaster', sentinelPassword: process.env.REDIS_SENTINEL_PASSWORD, password: process.env.REDIS_PASSWORD })
         * ```
         */
        readonly sentinelPassword?: string
        /**
         * Extra ioredis options, applied over the driver's defaults.
         * @default {}
         * @example
         * ```ts
         * // TLS to the master (tls) and to the Sentinels themselves (sentinelTLS)
         * ioredisDriver({ sentinels, name: 'mymaster', tls: true, redisOptions: { sentinelTLS: {} } })
         * ```
         */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /**
         * Cluster startup nodes (any few nodes; the rest is discovered).
         * @example
         * ```ts
         * ioredisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }] })
         * ```
         */
        readonly cluster: readonly IoredisNodeAddress[]
        /**
         * Extra ioredis Cluster options, applied over the driver's defaults.
         * @default {}
         * @example
         * ```ts
         * // ElastiCache with TLS: connect by the host names the nodes' certificates were issued for
         * const clusterOptions: ClusterOptions = { dnsLookup: (address, callback) => callback(null, address) }
         * ioredisDriver({ cluster: [{ host: configEndpoint, port: 6379 }], tls: true, clusterOptions })
         * ```
         */
        readonly clusterOptions?: ClusterOptions
      } & IoredisConnectionAuth)
  )
