/**
 * What the seed's `src/lib/cache.ts` becomes on Cachette: the same names (CacheService, CACHE_TTL,
 * CACHE_PREFIX, the per-resource helpers), with the engine's work (serialization, deadlines,
 * single flight, tags, stale-on-error) left to core. Runs on Node and on the Edge runtime.
 */
import type { Key, TtlPolicyName, WriteOptions } from '@cachette/core'
import { cacheKeys, LIST_PREFIX, listParams, listTags } from './cache-keys'
import { createAppCache, type CacheSetup } from './cache-config'
import type { ListFilters, Page, Resource, Status } from './db/model'

/** The seed's TTL table, as core's TTL policy names (session 1h, profile 30m, list 5m, stats 15m, static 24h). */
export const CACHE_TTL = {
  SESSION: 'session',
  USER_PROFILE: 'profile',
  LIST_SHORT: 'list',
  STATS: 'stats',
  STATIC: 'static',
} as const satisfies Record<string, TtlPolicyName>

/** The seed's key prefixes. */
export const CACHE_PREFIX = {
  SESSION: 'session:',
  USER: 'user:',
  FMPA: 'fmpa:',
  FORMATION: 'formation:',
  PERSONNEL: 'personnel:',
  CONVERSATION: 'conversation:',
  NOTIFICATION: 'notification:',
  TTA: 'tta:',
  STATS: 'stats:',
  CHAT: 'chat:',
} as const

/** What answered a request: the cache, the database, or the cache's old value because the database failed. */
export type CacheStatus = 'hit' | 'miss' | 'stale'

/**
 * The cache and the seed's rules on it: what the routes call. One per runtime in the app
 * ({@link appCache}); a test makes its own on a memory driver and a fake clock.
 *
 * @example
 * ```ts
 * const service = cacheService(createAppCache({}, { driver: memoryDriver({ clock }), clock }))
 * ```
 */
export function cacheService(setup: CacheSetup) {
  const { cache, wire } = setup
  const keys = cacheKeys(wire === 'cachette')
  return {
    ...setup,
    keys,
    /**
     * getOrSet that also says what answered, for the `x-cache` header. A request that waited on
     * another request's load of the same key (single flight) says `hit`: it did not reach the database.
     */
    async cached<T>(key: Key<T>, load: () => Promise<T>, options?: WriteOptions): Promise<{ value: T; status: CacheStatus }> {
      let loaded = false
      let failed = false
      const value = await cache.getOrSet(
        key,
        async () => {
          loaded = true
          try {
            return await load()
          } catch (error) {
            failed = true
            throw error
          }
        },
        options,
      )
      return { value, status: !loaded ? 'hit' : failed ? 'stale' : 'miss' }
    },
    /** The key of one list request (the filters are canonical: see cache-keys.ts). */
    listKey: (resource: Resource, tenantId: string, filters: ListFilters) => keys.list[resource](listParams(tenantId, filters)),
    /**
     * After a write: the tenant's lists that can show the change. A list filtered on another
     * status cannot, so only the lists of the statuses before and after, and the unfiltered ones
     * (`any`), are invalidated: by tag (one store write per tag, whatever the number of cached
     * filter combinations), or under `wire: 'plain'` by pattern (a SCAN, as the seed did).
     */
    async invalidateLists(resource: Resource, tenantId: string, statuses: readonly Status[]): Promise<void> {
      const segments = [...new Set<string>(['any', ...statuses])]
      if (wire === 'cachette') await cache.invalidateTags(segments.map((status) => listTags(resource, tenantId, status)[1] as string))
      else await Promise.all(segments.map((status) => cache.deletePattern(keys.list[resource].pattern({ tenantId, status }))))
    },
    /** The seed's `invalidateFMPACache(tenantId)` / `invalidateFormationCache(tenantId)`: every list of the tenant. */
    async invalidateAllLists(resource: Resource, tenantId: string): Promise<void> {
      if (wire === 'cachette') await cache.invalidateTags([`${LIST_PREFIX[resource]}:lists:${tenantId}`])
      else await cache.deletePattern(keys.list[resource].pattern({ tenantId }))
    },
  }
}
export type AppCache = ReturnType<typeof cacheService>

const holder = globalThis as { __nextUpstashCache?: AppCache }

/** This runtime's cache service, created on first use from `process.env` (kept on globalThis: one per process or isolate). */
export function appCache(): AppCache {
  holder.__nextUpstashCache ??= cacheService(createAppCache(process.env))
  return holder.__nextUpstashCache
}

/**
 * The seed's `CacheService`, on Cachette. Never throws for a cache failure: a read that cannot
 * reach the store is a miss, a write that cannot is `false`.
 */
export const CacheService = {
  /** @example const data = await CacheService.get<MyType>('my-key') */
  get: <T>(key: string): Promise<T | undefined> => appCache().cache.get<T>(key),
  /** @example await CacheService.set('my-key', data, { ttl: CACHE_TTL.LIST_SHORT }) */
  set: <T>(key: string, value: T, options?: { ttl?: TtlPolicyName }): Promise<boolean> => appCache().cache.set<T>(key, value, options),
  /** @example await CacheService.delete('my-key') */
  delete: (key: string): Promise<number> => appCache().cache.invalidate(key),
  /** @example await CacheService.deletePattern('fmpa:*:tenant123:*') */
  deletePattern: (pattern: string): Promise<number> => appCache().cache.deletePattern(pattern),
  /** @example const exists = await CacheService.exists('fmpa:list:tenant123:...') */
  exists: (key: string): Promise<boolean> => appCache().cache.has(key),
  /** @example const data = await CacheService.getOrSet('my-key', () => fetchFromDB(), { ttl: CACHE_TTL.LIST_SHORT }) */
  getOrSet: <T>(key: string, load: () => Promise<T>, options?: { ttl?: TtlPolicyName }): Promise<T> => appCache().cache.getOrSet<T>(key, load, options),
}

/** The seed's helper names, for code written against them: `getCachedFMPAList(tenantId, filters)`. */
export const getCachedFMPAList = (tenantId: string, filters: ListFilters) => appCache().cache.get(appCache().listKey('fmpa', tenantId, filters))
/** @example await cacheFMPAList('sdis-13', filters, page) */
export const cacheFMPAList = (tenantId: string, filters: ListFilters, page: Page) => appCache().cache.set(appCache().listKey('fmpa', tenantId, filters), page)
/** @example await invalidateFMPACache('sdis-13') */
export const invalidateFMPACache = (tenantId: string) => appCache().invalidateAllLists('fmpa', tenantId)
/** @example const page = await getCachedFormationList('sdis-13', filters) */
export const getCachedFormationList = (tenantId: string, filters: ListFilters) => appCache().cache.get(appCache().listKey('formations', tenantId, filters))
/** @example await cacheFormationList('sdis-13', filters, page) */
export const cacheFormationList = (tenantId: string, filters: ListFilters, page: Page) => appCache().cache.set(appCache().listKey('formations', tenantId, filters), page)
/** @example await invalidateFormationCache('sdis-13') */
export const invalidateFormationCache = (tenantId: string) => appCache().invalidateAllLists('formations', tenantId)
/** @example await invalidateUserCache('sdis-13-u1') */
export const invalidateUserCache = (userId: string) => appCache().cache.invalidate(appCache().keys.profile({ userId }))
/** @example await invalidateStatsCache('sdis-13') */
export const invalidateStatsCache = (tenantId: string) => appCache().cache.invalidate(appCache().keys.stats({ tenantId }))
