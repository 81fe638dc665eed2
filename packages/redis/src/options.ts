import type { ConnectionOptions } from 'node:tls'
import type { CompareAndSetCommands, Driver, TrackingCommands } from '@cachette/core'
import type { RedisClientOptions, RedisClientType, RedisClusterOptions, RedisClusterType } from 'redis'

/**
 * Options of `redisDriver()`: one way to reach Redis (a client, a URL, host/port, Sentinel or
 * Cluster) plus the tuning below. Validated once by `resolveOptions()` (resolve-options.ts).
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- any node-redis client, whatever its modules, scripts and RESP version */
/** A node-redis client (`createClient()` of `redis` 5 or 6), whatever its modules or RESP version. */
export type RedisDriverClient = RedisClientType<any, any, any, any, any>
/** A node-redis cluster client (`createCluster()`). */
export type RedisDriverClusterClient = RedisClusterType<any, any, any, any, any>
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What `redisDriver()` returns, whatever the target: every command group, compareAndSet and tracking. */
export type RedisDriver = Driver & CompareAndSetCommands & TrackingCommands

/** Tuning shared by every form of {@link RedisDriverOptions}. */
export interface RedisDriverTuning {
  /**
   * Deadline of every driver call in milliseconds, from the call to its answer, however many
   * round trips it takes. Past it the call rejects with `DeadlineExceededError`; a command still
   * waiting to be written then is dropped by node-redis, never sent late. The default matches
   * `createCache`'s `deadlineMs`.
   * @default 500
   * @example
   * ```ts
   * const driver = redisDriver({ url: 'redis://redis.internal:6379', deadlineMs: 100 })
   * createCache({ driver, deadlineMs: 100 })
   * ```
   */
  readonly deadlineMs?: number
  /**
   * How long one TCP (and TLS) connect may take (node-redis `socket.connectTimeout`).
   * @default 2000
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', connectTimeoutMs: 1000 })
   * ```
   */
  readonly connectTimeoutMs?: number
  /**
   * TCP keep-alive initial delay, so a silently dropped connection is noticed. 0 turns keep-alive off.
   * @default 10000
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', keepAliveMs: 30_000 })
   * ```
   */
  readonly keepAliveMs?: number
  /**
   * When calls wait and not one reply arrives for this long, the driver drops the connection and
   * opens a new one (connections it opened only). This is what unblocks a connection to a frozen
   * (SIGSTOP) server: node-redis' own `socketTimeout` is an idle timer that writes keep resetting.
   * Must be >= `deadlineMs`.
   * @default deadlineMs
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', deadlineMs: 200, socketTimeoutMs: 1000 })
   * ```
   */
  readonly socketTimeoutMs?: number
  /**
   * Calls that may wait for a connection attempt in progress (startup, reconnect). Beyond that,
   * and whenever the connection is known down, calls fail at once instead of queueing.
   * @default 1000
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', maxPendingCalls: 5000 })
   * ```
   */
  readonly maxPendingCalls?: number
  /**
   * SCAN COUNT hint: keys examined per SCAN round trip.
   * @default 250
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', scanCount: 1000 })
   * ```
   */
  readonly scanCount?: number
  /**
   * Keys per UNLINK command when deleting many keys.
   * @default 500
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', deleteBatchSize: 100 })
   * ```
   */
  readonly deleteBatchSize?: number
  /**
   * Receives the connection errors node-redis reports (refused connection, reset) while it
   * reconnects. The driver listens for them so none is unhandled; it never logs. Their messages
   * carry no keys or values.
   * @default undefined (ignored)
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', onError: (error) => log.warn({ err: error }, 'redis connection error') })
   * ```
   */
  readonly onError?: (error: Error) => void
}

/** TLS: `true` for defaults, or Node's `tls.connect` options (`ca`, `servername`...). */
export type RedisDriverTls = boolean | ConnectionOptions

/** A `host`/`port` pair of a Sentinel or Cluster node. */
export interface RedisNodeAddress {
  /**
   * Host name or IP.
   * @example
   * ```ts
   * redisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }] })
   * ```
   */
  readonly host: string
  /**
   * TCP port.
   * @example
   * ```ts
   * redisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }] })
   * ```
   */
  readonly port: number
}

/** Credentials and TLS for the forms that open connections. */
export interface RedisConnectionAuth {
  /**
   * ACL user name.
   * @default undefined (the default user)
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', username: 'identity-api', password: process.env.REDIS_PASSWORD })
   * ```
   */
  readonly username?: string
  /**
   * Password (AUTH).
   * @default undefined
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', password: process.env.REDIS_PASSWORD })
   * ```
   */
  readonly password?: string
  /**
   * TLS to Redis; a `rediss://` URL turns it on too. With Sentinel it secures the connections to
   * the master (the Sentinels themselves are reached as `sentinel.tls` says).
   * @default false
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', port: 6380, tls: { ca: readFileSync('/etc/ssl/certs/redis-ca.pem') } })
   * ```
   */
  readonly tls?: RedisDriverTls
}

/** Where the Sentinels are, for `redisDriver({ sentinel })`. */
export interface RedisSentinelTarget {
  /**
   * Sentinel addresses.
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels: [{ host: 'sentinel-1', port: 26379 }, { host: 'sentinel-2', port: 26379 }], name: 'mymaster' } })
   * ```
   */
  readonly sentinels: readonly RedisNodeAddress[]
  /**
   * The master name the Sentinels monitor.
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster' } }) // the name in `sentinel monitor mymaster ...`
   * ```
   */
  readonly name: string
  /**
   * ACL user of the Sentinels themselves.
   * @default undefined
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster', username: 'sentinel-user', password: process.env.SENTINEL_PASSWORD } })
   * ```
   */
  readonly username?: string
  /**
   * Password of the Sentinels themselves (the master's is the top-level `password`).
   * @default undefined
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster', password: process.env.SENTINEL_PASSWORD }, password: process.env.REDIS_PASSWORD })
   * ```
   */
  readonly password?: string
  /**
   * TLS to the Sentinels themselves.
   * @default false
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster', tls: { ca } }, tls: { ca } })
   * ```
   */
  readonly tls?: RedisDriverTls
}

/** `{ client }`: a node-redis client you created and will close yourself. */
export interface RedisClientForm {
  /**
   * A client you own: the driver never closes it and never changes its options. The driver
   * connects it if it is not open yet. Its offline queue is never used: the driver sends nothing
   * while the client is not ready. A `createCluster()` client is accepted too.
   * @example
   * ```ts
   * const client = createClient({ url: 'redis://redis.internal:6379' }) // import { createClient } from 'redis'
   * await client.connect()
   * redisDriver({ client }) // close it yourself: await client.close()
   * ```
   */
  readonly client: RedisDriverClient
}

/** `{ client }` with a cluster client. */
export interface RedisClusterClientForm {
  /**
   * A `createCluster()` client you own; never closed by the driver.
   * @example
   * ```ts
   * const cluster = createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:7000' }] }) // import { createCluster } from 'redis'
   * redisDriver({ client: cluster })
   * ```
   */
  readonly client: RedisDriverClusterClient
}

/** `{ url }`. */
export interface RedisUrlForm extends RedisConnectionAuth {
  /**
   * `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS. `username`, `password`
   * and `db` fill what the URL leaves out; a field set in both places throws `InvalidOptionsError`.
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379' }) // e.g. rediss://redis.internal:6380/0
   * ```
   */
  readonly url: string
  /**
   * Database index, when the URL has none.
   * @default 0
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', db: 2 })
   * ```
   */
  readonly db?: number
  /**
   * Extra node-redis client options, applied over the driver's defaults.
   * @default {}
   * @example
   * ```ts
   * redisDriver({ url: 'redis://redis.internal:6379', clientOptions: { name: 'identity-api' } })
   * ```
   */
  readonly clientOptions?: RedisClientOptions
}

/** `{ host, port }`. */
export interface RedisHostForm extends RedisConnectionAuth {
  /**
   * Host name or IP.
   * @default 'localhost'
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal' })
   * ```
   */
  readonly host?: string
  /**
   * TCP port.
   * @default 6379
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', port: 6380 })
   * ```
   */
  readonly port?: number
  /**
   * Database index.
   * @default 0
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', db: 2 })
   * ```
   */
  readonly db?: number
  /**
   * Extra node-redis client options, applied over the driver's defaults.
   * @default {}
   * @example
   * ```ts
   * redisDriver({ host: 'redis.internal', clientOptions: { name: 'identity-api' } })
   * ```
   */
  readonly clientOptions?: RedisClientOptions
}

/** `{ sentinel }`. */
export interface RedisSentinelForm extends RedisConnectionAuth {
  /**
   * The Sentinel group to ask for the current master. The driver connects to the master the
   * Sentinels name and asks them again when that connection fails or a write gets READONLY.
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster' } })
   * ```
   */
  readonly sentinel: RedisSentinelTarget
  /**
   * Database index.
   * @default 0
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster' }, db: 1 })
   * ```
   */
  readonly db?: number
  /**
   * Extra node-redis client options for the master connection, applied over the driver's defaults.
   * @default {}
   * @example
   * ```ts
   * redisDriver({ sentinel: { sentinels, name: 'mymaster' }, clientOptions: { name: 'identity-api' } })
   * ```
   */
  readonly clientOptions?: RedisClientOptions
}

/** `{ cluster }`. */
export interface RedisClusterForm extends RedisConnectionAuth {
  /**
   * Cluster startup nodes (any few; the rest is discovered).
   * @example
   * ```ts
   * redisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }] })
   * ```
   */
  readonly cluster: readonly RedisNodeAddress[]
  /**
   * Extra node-redis `createCluster()` options, applied over the driver's defaults.
   * @default {}
   * @example
   * ```ts
   * redisDriver({ cluster: nodes, clusterOptions: { nodeAddressMap: { '10.0.0.1:7000': { host: 'redis-1.example', port: 7000 } } } })
   * ```
   */
  readonly clusterOptions?: Partial<RedisClusterOptions>
}

/**
 * How `redisDriver()` reaches Redis, plus {@link RedisDriverTuning}.
 *
 * - `{ client }`: a node-redis client (or cluster client) you created and will close yourself.
 * - `{ url }`: `redis://[user:pass@]host:port/db` or `rediss://` for TLS.
 * - `{ host, port, db, password, tls }`.
 * - `{ sentinel: { sentinels, name } }`: a Sentinel group and the master name it monitors.
 * - `{ cluster }`: Redis Cluster startup nodes.
 */
export type RedisDriverOptions = RedisDriverTuning & (RedisClientForm | RedisClusterClientForm | RedisUrlForm | RedisHostForm | RedisSentinelForm | RedisClusterForm)
