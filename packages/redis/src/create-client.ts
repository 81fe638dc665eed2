import { createClient, createCluster, type RedisClientOptions, type RedisClusterOptions } from 'redis'
import type { RedisDriverClient, RedisDriverClusterClient, RedisNodeAddress } from './options.js'
import type { ResolvedAuth, ResolvedTuning } from './resolve-options.js'

/**
 * The node-redis options the driver opens its connections with. Each answers a failure we
 * reproduced against a real redis-server (docs/drivers.md has the numbers):
 *
 * - `disableOfflineQueue: true`: node-redis' offline queue keeps every command issued while
 *   Redis is away and sends it when Redis returns, long after its caller gave up. The driver's
 *   own bounded wait (CallRunner) covers startup; while the connection is known down calls fail
 *   at once.
 * - `RESP: 2`: the invalidation messages of `CLIENT TRACKING ... REDIRECT` reach a RESP2
 *   connection subscribed to `__redis__:invalidate` as ordinary pub/sub messages, on every
 *   Redis from 6.0; RESP2 replies are also what `@cachette/core/redis` parses.
 * - `maintNotifications: 'disabled'`: Redis Enterprise maintenance pushes need RESP3.
 * - `socket.reconnectStrategy`: reconnect quickly, backing off to 1 s, forever.
 * - `socket.keepAlive`, `socket.connectTimeout`: notice dead peers and slow connects in bounded time.
 *
 * No `socket.socketTimeout`: node-redis' is an idle timer (it would drop idle connections) that
 * writes reset (so it never fires on a frozen server that keeps accepting bytes). The driver
 * watches replies instead (NodeConnection).
 */
export function safeClientOptions(host: string | undefined, port: number | undefined, db: number | undefined, auth: ResolvedAuth, tuning: ResolvedTuning, extra: RedisClientOptions = {}): RedisClientOptions {
  const socket = {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    connectTimeout: tuning.connectTimeoutMs,
    keepAlive: tuning.keepAliveMs > 0,
    ...(tuning.keepAliveMs > 0 ? { keepAliveInitialDelay: tuning.keepAliveMs } : {}),
    reconnectStrategy: (retries: number) => Math.min((retries + 1) * 50, 1000),
    ...(auth.tls === undefined ? {} : { tls: true as const, ...auth.tls }),
    ...(extra.socket ?? {}),
  }
  return {
    RESP: 2,
    disableOfflineQueue: true,
    maintNotifications: 'disabled',
    ...(auth.username === undefined ? {} : { username: auth.username }),
    ...(auth.password === undefined ? {} : { password: auth.password }),
    ...(db === undefined ? {} : { database: db }),
    ...extra,
    socket,
  } as RedisClientOptions
}

/** A new, unconnected client with the driver's options. */
export function newClient(options: RedisClientOptions): RedisDriverClient {
  return createClient(options) as unknown as RedisDriverClient
}

/**
 * A new, unconnected cluster client: {@link safeClientOptions} for every node client (offline
 * queue off, so a command for a node that is down fails at once), and the caller's
 * `clusterOptions` over them.
 *
 * `topologyRefreshOnReconnectionAttemptStrategy: 250`: node-redis 6 re-reads the slot map only
 * after 5 s of failed reconnections to a node by default, so a killed master's slots kept failing
 * for ~3 s after its replica was promoted (measured); every 250 ms of reconnection attempts
 * (each attempt ends the wait) the slot map is read again, so failures stop soon after the
 * promotion. node-redis 5 ignores the option.
 */
export function newCluster(nodes: readonly RedisNodeAddress[], auth: ResolvedAuth, tuning: ResolvedTuning, extra: Partial<RedisClusterOptions>): RedisDriverClusterClient {
  const defaults = safeClientOptions(undefined, undefined, undefined, auth, tuning, (extra.defaults ?? {}) as RedisClientOptions)
  return createCluster({
    topologyRefreshOnReconnectionAttemptStrategy: 250,
    ...extra,
    rootNodes: nodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    defaults,
    RESP: 2,
  } as unknown as RedisClusterOptions) as unknown as RedisDriverClusterClient
}
