import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import type { ResolvedTarget, ResolvedTuning } from './resolve-options.js'

/**
 * The ioredis options the driver opens its connections with. Each one answers a failure we
 * reproduced against a real redis-server (docs/drivers.md has the numbers):
 *
 * - `enableOfflineQueue: false`: ioredis' offline queue has no bound; with Redis down, every
 *   command issued is kept (200,000 commands held ~100 MB) and replayed when Redis returns, long
 *   after the caller gave up. The driver's own bounded wait (CallRunner) covers startup.
 * - `autoResendUnfulfilledCommands: false`: commands in flight when a connection drops are
 *   rejected, not silently re-sent on the next connection (a SET that already timed out must not
 *   land later over a newer value).
 * - `socketTimeout`: a frozen server (SIGSTOP, a VM pause, a black-holed route) keeps its TCP
 *   connection open; nothing else notices. When no byte arrives for `socketTimeoutMs` while
 *   replies are owed, the socket is destroyed and ioredis reconnects.
 * - `keepAlive`, `connectTimeout`: notice dead peers and slow connects in bounded time.
 * - `maxRetriesPerRequest: 1`: nothing waits through many reconnection attempts.
 * - `reconnectOnError` on READONLY: after a failover the old master is a replica that refuses
 *   writes; reconnecting (through Sentinel, or DNS) reaches the new master. The failed command
 *   is not resent (1, not 2): its caller already has an error.
 * - `retryStrategy`: reconnect quickly, backing off to 1 s, forever.
 */
export function safeRedisOptions(tuning: ResolvedTuning): RedisOptions {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    socketTimeout: tuning.socketTimeoutMs,
    keepAlive: tuning.keepAliveMs,
    connectTimeout: tuning.connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 1 : false),
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 1000),
  }
}

/**
 * Cluster options on top of {@link safeRedisOptions} for every node connection:
 * - `enableOfflineQueue: false` at the cluster level too (same unbounded queue). On ioredis 6 it
 *   also rejects a command for a node whose connection is still opening; the driver's calls wait
 *   for the masters' connections instead (see ClusterConnection).
 * - `retryDelayOnFailover: 0`: ioredis would otherwise re-send, after 100 ms and up to
 *   `maxRedirections` times, a command whose connection closed mid-flight, a replay the caller
 *   cannot see; the call fails instead and the slot map is refreshed by the next MOVED.
 * - `slotsRefreshTimeout`, `slotsRefreshInterval`: the slot map is re-read every 5 s, so a
 *   promoted replica is found even without traffic to the failed slots.
 */
export function safeClusterOptions(tuning: ResolvedTuning, auth: RedisOptions): ClusterOptions {
  const { enableOfflineQueue: _queue, retryStrategy: _retry, ...nodeOptions } = safeRedisOptions(tuning)
  return {
    enableOfflineQueue: false,
    enableReadyCheck: true,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: Math.min(tuning.connectTimeoutMs, 2000),
    slotsRefreshInterval: 5000,
    clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    redisOptions: { ...nodeOptions, ...auth },
  }
}

/** Opens the client the options describe. The caller owns (and closes) it. */
export function createClient(target: Exclude<ResolvedTarget, { kind: 'client' }>, tuning: ResolvedTuning): Redis | Cluster {
  if (target.kind === 'cluster') {
    const base = safeClusterOptions(tuning, target.redisOptions)
    const options: ClusterOptions = {
      ...base,
      ...target.clusterOptions,
      redisOptions: { ...base.redisOptions, ...target.clusterOptions.redisOptions },
    }
    return new Cluster(
      target.nodes.map((node) => ({ host: node.host, port: node.port })),
      options,
    )
  }
  const options: RedisOptions = { ...safeRedisOptions(tuning), ...target.redisOptions }
  if (target.kind === 'sentinel') {
    // Sentinels announce a failover on +switch-master; listening for it (instead of waiting for
    // the old master to fail) shortens the time writes go to a demoted node.
    options.failoverDetector = target.redisOptions.failoverDetector ?? true
  }
  return target.kind === 'standalone' && target.url !== undefined ? new Redis(target.url, options) : new Redis(options)
}
