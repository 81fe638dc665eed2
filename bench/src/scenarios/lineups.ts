import { memoryBaseline, redisBaseline } from '../peers/baseline.js'
import { bentocacheMemory, bentocacheRedis } from '../peers/bentocache.js'
import { cacheManagerMemory, cacheManagerRedis } from '../peers/cache-manager.js'
import { cacheableMemory } from '../peers/cacheable.js'
import { cachetteGlide, cachetteMemory, cachetteMemoryShared, cachetteNodeRedis, cachetteRedis } from '../peers/cachette.js'
import { cachifiedLru } from '../peers/cachified.js'
import type { Contender } from '../peers/contender.js'
import { keyvRedis } from '../peers/keyv.js'
import { rawClient, type RedisTarget } from '../servers.js'

/**
 * Who runs against whom, the baseline first (every ratio divides by it).
 *
 * @example
 * ```ts
 * const contenders = memoryLineup()
 * ```
 */
export function memoryLineup(): Contender[] {
  return [memoryBaseline(), cachetteMemory(), bentocacheMemory(), cacheManagerMemory(), cacheableMemory(), cachifiedLru()]
}

/**
 * The Redis lineup on the standalone server or the cluster.
 *
 * @example
 * ```ts
 * const contenders = redisLineup(servers.cluster)
 * ```
 */
export function redisLineup(target: RedisTarget): Contender[] {
  return [redisBaseline(rawClient(target)), cachetteRedis(target), bentocacheRedis(target), cacheManagerRedis(target), keyvRedis(target)]
}

/** The lineup of a store: memory, or Redis on one target. */
export function lineupFor(store: 'memory' | RedisTarget): Contender[] {
  return store === 'memory' ? memoryLineup() : redisLineup(store)
}

/**
 * The lineup of the hit scenarios: {@link lineupFor} plus Cachette with `shareValues: true` right
 * after the default Cachette (hits are where sharing decoded values changes anything).
 *
 * @example
 * ```ts
 * const contenders = hitLineupFor('memory')
 * ```
 */
export function hitLineupFor(store: 'memory' | RedisTarget): Contender[] {
  const lineup = lineupFor(store)
  lineup.splice(2, 0, store === 'memory' ? cachetteMemoryShared() : cachetteRedis(store, true))
  return withEveryDriver(store, lineup)
}

/** 'memory', 'redis' or 'cluster', for report titles. */
export function storeName(store: 'memory' | RedisTarget): 'memory' | 'redis' | 'cluster' {
  return store === 'memory' ? 'memory' : store.kind === 'standalone' ? 'redis' : 'cluster'
}

/**
 * {@link lineupFor}, and on Redis the two other Cachette drivers right after Cachette on ioredis
 * (node-redis, Valkey GLIDE): for the hit, 100-concurrent and stampede rows, where the client
 * underneath is what differs.
 *
 * @example
 * ```ts
 * const contenders = withEveryDriver(servers.standalone, lineupFor(servers.standalone))
 * ```
 */
export function withEveryDriver(store: 'memory' | RedisTarget, lineup: Contender[]): Contender[] {
  if (store === 'memory') return lineup
  const at = lineup.findIndex((contender) => contender.name === 'cachette') + 1
  lineup.splice(at, 0, cachetteNodeRedis(store), cachetteGlide(store))
  return lineup
}
