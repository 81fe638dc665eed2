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
   */
  readonly deadlineMs?: number
  /**
   * ioredis `connectTimeout`: how long one TCP connect may take.
   * @default 2000
   */
  readonly connectTimeoutMs?: number
  /**
   * TCP keep-alive initial delay (ioredis `keepAlive`), so a silently dropped connection (a NAT
   * or load balancer forgetting it) is noticed. 0 turns keep-alive off.
   * @default 10000
   */
  readonly keepAliveMs?: number
  /**
   * ioredis `socketTimeout`: when commands wait and not one byte arrives for this long, the socket
   * is destroyed and reconnected. This is what unblocks a connection to a frozen (SIGSTOP) server;
   * without it replies queue in memory until the server wakes up, and every command written in
   * the meantime runs when it does. Once nothing has arrived for a whole deadline, every call
   * waiting on that socket has failed anyway. Must be >= `deadlineMs`.
   * @default deadlineMs
   */
  readonly socketTimeoutMs?: number
  /**
   * Calls that may wait for a connection attempt in progress (startup, reconnect). Beyond that,
   * and whenever the connection is known down, calls fail at once instead of queueing.
   * @default 1000
   */
  readonly maxPendingCalls?: number
  /**
   * SCAN COUNT hint: keys examined per SCAN round trip.
   * @default 250
   */
  readonly scanCount?: number
  /**
   * Keys per UNLINK command when deleting many keys.
   * @default 500
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
   * ioredisDriver({ url: process.env.REDIS_URL, coalesceWrites: false })
   * ```
   */
  readonly coalesceWrites?: boolean
  /**
   * Receives the connection errors ioredis reports (refused connection, reset, socket timeout)
   * while it reconnects. The driver listens for them so none is unhandled; it never logs.
   * Messages of these errors carry no keys or values.
   * @default undefined (ignored)
   */
  readonly onError?: (error: Error) => void
}

/** Where TLS is configured: `true` for defaults, or Node's `tls.connect` options. */
export type IoredisTls = boolean | ConnectionOptions

/** A `host`/`port` pair of a Sentinel or Cluster node. */
export interface IoredisNodeAddress {
  /** Host name or IP. */
  readonly host: string
  /** TCP port. */
  readonly port: number
}

/** Credentials and TLS for the forms that open connections. */
export interface IoredisConnectionAuth {
  /** ACL user name. @default undefined (the default user) */
  readonly username?: string
  /** Password (AUTH). @default undefined */
  readonly password?: string
  /** TLS; a `rediss://` URL turns it on too. @default false */
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
        /** A client you own: the driver never closes it, and never changes its options. */
        readonly client: Redis | Cluster
      }
    | ({
        /** `redis://` or `rediss://` URL. */
        readonly url: string
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Host name or IP. @default 'localhost' */
        readonly host?: string
        /** TCP port. @default 6379 */
        readonly port?: number
        /** Database index. @default 0 */
        readonly db?: number
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Sentinel addresses. */
        readonly sentinels: readonly IoredisNodeAddress[]
        /** The master name the Sentinels monitor. */
        readonly name: string
        /** Database index. @default 0 */
        readonly db?: number
        /** Password of the Sentinels themselves. @default undefined */
        readonly sentinelPassword?: string
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Cluster startup nodes (any few nodes; the rest is discovered). */
        readonly cluster: readonly IoredisNodeAddress[]
        /** Extra ioredis Cluster options, applied over the driver's defaults. @default {} */
        readonly clusterOptions?: ClusterOptions
      } & IoredisConnectionAuth)
  )
