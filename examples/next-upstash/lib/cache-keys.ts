import { defineKey } from '@cachette/core'
import type { DashboardStats, Item, ListFilters, Page, Resource, Status, TtaEntry, UserProfile } from './db/model'

/**
 * The seed's key layout, one definition per kind of entry. A list key holds the tenant, the status
 * filter (`any` when the request has none) and a hash of the whole filter object, canonical (keys
 * sorted, defaults applied): `?status=ACTIVE&page=1` and `?page=1&status=ACTIVE` are one entry.
 *
 *   fmpa:list:sdis-13:ACTIVE:Yp0l3V6c0m0xkXjB        formation:list:sdis-13:any:2ppp3B5uVZ2Xx7k1
 *   fmpa:detail:sdis-13:42                            user:profile:sdis-13-u1
 *   stats:dashboard:sdis-13                           tta:entries:sdis-13:sdis-13-u1
 *
 * The status sits in the key so that a write invalidates only the lists it can change (the seed's
 * "invalidation sélective"), with tags or, under `wire: 'plain'`, with a pattern.
 */
export const LIST_PREFIX: Record<Resource, string> = { fmpa: 'fmpa', formations: 'formation' }

/** The status segment of a list key. */
export const statusSegment = (status: Status | undefined): string => status ?? 'any'

/** Tags of a list entry (wire 'cachette' only): every list of the tenant, and its status's lists. */
export function listTags(resource: Resource, tenantId: string, status: string): string[] {
  return [`${LIST_PREFIX[resource]}:lists:${tenantId}`, `${LIST_PREFIX[resource]}:lists:${tenantId}:${status}`]
}

/** Tags of a list key's parameters, or none under `wire: 'plain'`. */
function tagsOf(resource: Resource, tagged: boolean) {
  return tagged ? { tags: ({ tenantId, status }: { tenantId: unknown; status: unknown }) => listTags(resource, String(tenantId), String(status)) } : {}
}

/**
 * The key definitions. `tagged` is false under `wire: 'plain'`, where an entry is the JSON value
 * alone and has no room for tags: lists are then invalidated with patterns.
 *
 * @example
 * ```ts
 * const keys = cacheKeys(true)
 * keys.list.fmpa({ tenantId: 'sdis-13', status: 'ACTIVE', filters }).key
 * ```
 */
export function cacheKeys(tagged: boolean) {
  return {
    list: {
      fmpa: defineKey<'fmpa:list:{tenantId}:{status}:{filters}', Page, { filters: 'hash' }>('fmpa:list:{tenantId}:{status}:{filters}', {
        params: { filters: 'hash' },
        ttl: 'list',
        ...tagsOf('fmpa', tagged),
      }),
      formations: defineKey<'formation:list:{tenantId}:{status}:{filters}', Page, { filters: 'hash' }>('formation:list:{tenantId}:{status}:{filters}', {
        params: { filters: 'hash' },
        ttl: 'list',
        ...tagsOf('formations', tagged),
      }),
    },
    detail: {
      fmpa: defineKey<'fmpa:detail:{tenantId}:{id}', Item | null>('fmpa:detail:{tenantId}:{id}', { ttl: 'list' }),
      formations: defineKey<'formation:detail:{tenantId}:{id}', Item | null>('formation:detail:{tenantId}:{id}', { ttl: 'list' }),
    },
    profile: defineKey<'user:profile:{userId}', UserProfile | null>('user:profile:{userId}', { ttl: 'profile' }),
    tta: defineKey<'tta:entries:{tenantId}:{userId}', TtaEntry[]>('tta:entries:{tenantId}:{userId}', { ttl: 'list' }),
    stats: defineKey<'stats:dashboard:{tenantId}', DashboardStats>('stats:dashboard:{tenantId}', { ttl: 'stats' }),
  }
}
export type CacheKeys = ReturnType<typeof cacheKeys>

/** The parameters of a list key for one request. */
export function listParams(tenantId: string, filters: ListFilters) {
  return { tenantId, status: statusSegment(filters.status), filters: { ...filters } }
}
