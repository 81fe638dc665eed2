import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from '@cachette/testing'
import { Cluster, Redis } from 'ioredis'

/** Where a Redis scenario runs: the standalone server or the 3-master cluster. */
export type RedisTarget =
  | { readonly kind: 'standalone'; readonly host: string; readonly port: number; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly { readonly host: string; readonly port: number }[] }

/** The servers of one run. */
export interface BenchServers {
  readonly standalone: RedisTarget & { kind: 'standalone' }
  readonly cluster: RedisTarget & { kind: 'cluster' }
  /** Stops both (by PID, through the launchers). */
  stop(): Promise<void>
}

/**
 * Starts Debian's redis-server and a 3-master cluster on free loopback ports (the
 * `@cachette/testing` launchers), without persistence.
 *
 * @example
 * ```ts
 * const servers = await startBenchServers()
 * try { ... } finally { await servers.stop() }
 * ```
 */
export async function startBenchServers(): Promise<BenchServers> {
  let server: RedisServerHandle | undefined
  let cluster: RedisClusterHandle | undefined
  try {
    server = await startRedisServer()
    cluster = await startRedisCluster({ masters: 3 })
  } catch (error) {
    await server?.stop()
    throw error
  }
  const started = { server, cluster }
  return {
    standalone: { kind: 'standalone', host: server.host, port: server.port, url: server.url },
    cluster: { kind: 'cluster', nodes: cluster.nodes.map(({ host, port }) => ({ host, port })) },
    async stop() {
      await Promise.allSettled([started.server.stop(), started.cluster.stop()])
    },
  }
}

/**
 * A plain ioredis client (or Cluster client) on `target`, with ioredis defaults: what the raw
 * baseline uses and what the bench uses to fill and inspect the store.
 *
 * @example
 * ```ts
 * const client = rawClient(servers.standalone)
 * ```
 */
export function rawClient(target: RedisTarget): Redis | Cluster {
  return target.kind === 'standalone' ? new Redis(target.port, target.host) : new Cluster(target.nodes.map(({ host, port }) => ({ host, port })))
}

/**
 * The port of every master (a standalone server is its own only master).
 *
 * @example
 * ```ts
 * const ports = await masterPorts(servers.cluster) // three ports
 * ```
 */
export async function masterPorts(target: RedisTarget): Promise<number[]> {
  if (target.kind === 'standalone') return [target.port]
  const first = target.nodes[0]
  if (first === undefined) throw new Error('a cluster target needs at least one node')
  const probe = new Redis(first.port, first.host)
  try {
    const slots = (await probe.cluster('SLOTS')) as unknown as [number, number, [string, number, ...unknown[]], ...unknown[]][]
    return [...new Set(slots.map((range) => range[2][1]))]
  } finally {
    probe.disconnect()
  }
}

/**
 * One plain client per master.
 *
 * @example
 * ```ts
 * for (const node of await masterClients(target)) await node.dbsize()
 * ```
 */
export async function masterClients(target: RedisTarget): Promise<Redis[]> {
  return (await masterPorts(target)).map((port) => new Redis(port, '127.0.0.1'))
}
