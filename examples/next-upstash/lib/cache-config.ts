import { createCache, InvalidOptionsError, memoryDriver, type Cache, type CacheOptions, type Clock, type Driver } from '@cachette/core'
import { upstashDriverFromEnv } from '@cachette/upstash'

/** The environment this example reads (both runtimes see the server's variables). */
export type CacheEnv = Readonly<Record<string, string | undefined>> & {
  readonly UPSTASH_REDIS_REST_URL?: string | undefined
  readonly UPSTASH_REDIS_REST_TOKEN?: string | undefined
  /** `memory`: no Upstash; each runtime (Node, Edge) then has its own cache. */
  readonly CACHE_DRIVER?: string | undefined
  /** `plain`: entries are the JSON value alone, as the seed's `@upstash/redis` code writes them. */
  readonly CACHE_WIRE?: string | undefined
  /** `false` turns the cache off (every request goes to the database): read by core itself. */
  readonly CACHE_ENABLED?: string | undefined
  readonly NODE_ENV?: string | undefined
}

export interface CacheSetup {
  readonly cache: Cache
  readonly wire: 'cachette' | 'plain'
  readonly driver: 'upstash' | 'memory'
}

/** What a test injects: its own driver (a memory driver on a fake clock) and that clock. */
export interface CacheInjection {
  readonly driver: Driver
  readonly clock?: Clock
  readonly logger?: CacheOptions['logger']
}

function chooseDriver(env: CacheEnv): { driver: Driver; name: CacheSetup['driver'] } {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    // A REST call from the edge to Upstash takes tens of ms; past 300 ms the database is as fast.
    return { driver: upstashDriverFromEnv(env, { timeoutMs: 300 }), name: 'upstash' }
  }
  if (env.CACHE_DRIVER === 'memory' || env.NODE_ENV !== 'production') {
    return { driver: memoryDriver({ maxEntries: 10_000 }), name: 'memory' }
  }
  throw new InvalidOptionsError('next-upstash: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or CACHE_DRIVER=memory')
}

/**
 * The cache of this runtime, built from the environment. The seed's rules: no prefix (its keys are
 * `fmpa:list:...`), lists 5 min, profiles 30 min, stats 15 min (core's TTL presets have the same
 * names and values). A failure of the cache never fails a request: past 300 ms a read is a miss and
 * the database answers; an invalidation that cannot reach Upstash is queued and retried.
 *
 * @example
 * ```ts
 * const { cache } = createAppCache(process.env)
 * const forTests = createAppCache({ CACHE_WIRE: 'plain' }, { driver: memoryDriver({ clock }), clock })
 * ```
 */
export function createAppCache(env: CacheEnv, injected?: CacheInjection): CacheSetup {
  const wire = env.CACHE_WIRE === 'plain' ? 'plain' : 'cachette'
  if (env.CACHE_WIRE !== undefined && env.CACHE_WIRE !== '' && env.CACHE_WIRE !== wire) {
    throw new InvalidOptionsError("next-upstash: CACHE_WIRE must be 'cachette' or 'plain'")
  }
  const { driver, name } = injected === undefined ? chooseDriver(env) : { driver: injected.driver, name: 'memory' as const }
  const cache = createCache({
    driver,
    wire,
    ttl: '5m',
    deadlineMs: 300,
    circuitBreaker: true,
    invalidationQueue: { whenQueued: 'resolve' },
    // Grace: when the database fails, a list past its TTL is served for up to an hour (x-cache: stale).
    ...(wire === 'cachette' ? { grace: '1h' } : {}),
    env: env as Record<string, string | undefined>,
    ...(injected?.clock === undefined ? {} : { clock: injected.clock }),
    ...(injected?.logger === undefined ? {} : { logger: injected.logger }),
  })
  return { cache, wire, driver: name }
}
