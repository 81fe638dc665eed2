import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver } from 'bentocache/drivers/redis'
import { Cluster } from 'ioredis'
import type { RedisTarget } from '../servers.js'
import { TTL_MS, runId, type Contender } from './contender.js'

type Bento = BentoCache<{ cache: ReturnType<typeof bentostore> }>

function bentoContender(name: string, bento: Bento): Contender & { readonly bento: Bento } {
  return {
    name,
    packageName: 'bentocache',
    bento,
    getOrSet: (id, loader) => bento.getOrSet({ key: `patient:${id}`, factory: loader, ttl: TTL_MS }),
    async delete(id) {
      await bento.delete({ key: `patient:${id}` })
    },
    close: () => bento.disconnectAll(),
  }
}

/**
 * bentocache, memory only (one L1 layer), as its README sets it up; values are serialized (its
 * default), sized for the 100 KB shape.
 *
 * @example
 * ```ts
 * const contender = bentocacheMemory()
 * ```
 */
export function bentocacheMemory(): Contender & { readonly bento: Bento } {
  const bento = new BentoCache({
    default: 'cache',
    prefix: `bench:${runId()}`,
    stores: { cache: bentostore().useL1Layer(memoryDriver({ maxSize: '200mb', maxItems: 100_000 })) },
  })
  return bentoContender('bentocache (memory)', bento as Bento)
}

/**
 * bentocache with its Redis driver as the only layer (L2): a Redis hit, like the others. Its
 * recommended production setup adds an L1 and a bus; with an L1 a hit would be a memory hit.
 *
 * @example
 * ```ts
 * const contender = bentocacheRedis(servers.standalone)
 * ```
 */
export function bentocacheRedis(target: RedisTarget): Contender & { readonly bento: Bento } {
  const connection =
    target.kind === 'standalone' ? { host: target.host, port: target.port } : new Cluster(target.nodes.map(({ host, port }) => ({ host, port })))
  const bento = new BentoCache({
    default: 'cache',
    prefix: `bench:${runId()}`,
    stores: { cache: bentostore().useL2Layer(redisDriver({ connection })) },
  })
  return bentoContender('bentocache (redis)', bento as Bento)
}
