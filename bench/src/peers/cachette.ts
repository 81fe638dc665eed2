import { createCache, defineKey, memoryDriver, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
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
