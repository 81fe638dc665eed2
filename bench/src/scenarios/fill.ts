import { Cluster, Redis } from 'ioredis'
import { TTL_MS } from '../peers/contender.js'
import type { RedisTarget } from '../servers.js'

/**
 * Fast store filling for the big scenarios: an ioredis client with auto-pipelining (every
 * command issued in one tick goes out in one write), fed 10,000 SETs at a time. On a cluster
 * ioredis pipelines per node, so the same code fills every master.
 */
export interface Filler {
  /** SET key value PX ttl for every key `keyOf(0..count-1)`. */
  fill(count: number, keyOf: (index: number) => string, value: string): Promise<void>
  /** FLUSHALL on every master: the bench's own servers, emptied between scenarios. */
  flushAll(): Promise<void>
  close(): void
}

const CHUNK = 10_000

/**
 * @example
 * ```ts
 * const filler = createFiller(servers.standalone)
 * await filler.fill(1_000_000, (i) => `dp:other:${i}`, 'x')
 * ```
 */
export function createFiller(target: RedisTarget): Filler {
  const client =
    target.kind === 'standalone'
      ? new Redis({ host: target.host, port: target.port, enableAutoPipelining: true })
      : new Cluster(target.nodes.map(({ host, port }) => ({ host, port })), { enableAutoPipelining: true })
  return {
    async fill(count, keyOf, value) {
      for (let start = 0; start < count; start += CHUNK) {
        const writes: Promise<unknown>[] = []
        for (let index = start; index < Math.min(count, start + CHUNK); index++) writes.push(client.set(keyOf(index), value, 'PX', TTL_MS))
        await Promise.all(writes)
      }
    },
    async flushAll() {
      if (client instanceof Cluster) await Promise.all(client.nodes('master').map((node) => node.flushall()))
      else await client.flushall()
    },
    close() {
      client.disconnect()
    },
  }
}
