import { createCache, defineKey, memoryDriver, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { redisDriver } from '@cachette/redis'
import { glideDriver } from '@cachette/valkey-glide'
import type { RedisTarget } from '../servers.js'
import { TTL_MS, runId, type Contender } from './contender.js'

/** The key family every Cachette contender reads, as an application defines it. */
const patientKey = defineKey('patient:{id}')

function cachetteContender(name: string, cache: Cache): Contender & { readonly cache: Cache } {
  return {
    name,
    packageName: '@cachette/core',
    cache,
    // The key is built on every call, as applications do: its validation is part of the cost.
    getOrSet: (id, loader) => cache.getOrSet(patientKey({ id }), loader),
    async delete(id) {
      await cache.invalidate(patientKey({ id }))
    },
    // Each contender's cache is its driver's only user.
    close: () => cache.close({ driver: true }),
  }
}

/**
 * Cachette with its default in-process driver.
 *
 * @example
 * ```ts
 * const contender = cachetteMemory()
 * ```
 */
export function cachetteMemory(): Contender & { readonly cache: Cache } {
  return cachetteContender('cachette', createCache({ driver: memoryDriver(), prefix: `bench:${runId()}`, ttl: TTL_MS }))
}

/**
 * Cachette with `shareValues: true`: hits share one frozen decoded value (what cachified does by
 * keeping the loader's object), so they skip `JSON.parse`.
 *
 * @example
 * ```ts
 * const contender = cachetteMemoryShared()
 * ```
 */
export function cachetteMemoryShared(): Contender & { readonly cache: Cache } {
  return cachetteContender('cachette (shareValues)', createCache({ driver: memoryDriver(), prefix: `bench:${runId()}`, ttl: TTL_MS, shareValues: true }))
}

/**
 * Cachette on `@cachette/ioredis`, with the driver's defaults (it opens its own connection);
 * `shareValues` turns on the cache option of that name.
 *
 * @example
 * ```ts
 * const contender = cachetteRedis(servers.standalone)
 * ```
 */
export function cachetteRedis(target: RedisTarget, shareValues = false): Contender & { readonly cache: Cache } {
  const driver = target.kind === 'standalone' ? ioredisDriver({ url: target.url }) : ioredisDriver({ cluster: target.nodes })
  return cachetteContender(shareValues ? 'cachette (shareValues)' : 'cachette', createCache({ driver, prefix: `bench:${runId()}`, ttl: TTL_MS, shareValues }))
}

/**
 * Cachette on `@cachette/redis` (node-redis), the driver's defaults: the same cache as
 * {@link cachetteRedis}, another client underneath.
 *
 * @example
 * ```ts
 * const contender = cachetteNodeRedis(servers.standalone)
 * ```
 */
export function cachetteNodeRedis(target: RedisTarget): Contender & { readonly cache: Cache } {
  const driver = target.kind === 'standalone' ? redisDriver({ url: target.url }) : redisDriver({ cluster: target.nodes.map(({ host, port }) => ({ host, port })) })
  return cachetteContender('cachette (node-redis)', createCache({ driver, prefix: `bench:${runId()}`, ttl: TTL_MS }))
}

/**
 * Cachette on `@cachette/valkey-glide`, the driver's defaults.
 *
 * @example
 * ```ts
 * const contender = cachetteGlide(servers.cluster)
 * ```
 */
export function cachetteGlide(target: RedisTarget): Contender & { readonly cache: Cache } {
  const addresses = target.kind === 'standalone' ? [{ host: target.host, port: target.port }] : target.nodes.map(({ host, port }) => ({ host, port }))
  const driver = glideDriver({ addresses, clusterMode: target.kind !== 'standalone' })
  return cachetteContender('cachette (valkey-glide)', createCache({ driver, prefix: `bench:${runId()}`, ttl: TTL_MS }))
}
