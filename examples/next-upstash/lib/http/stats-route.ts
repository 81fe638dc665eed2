import { appCache } from '../cache'
import { routeReport } from './route-metrics'

/**
 * The stats of the Node routes' cache and routes. Edge routes run each in its own isolate (as on
 * Vercel, where each instance has its own memory): their answers say what they did in `x-cache`
 * and `server-timing`, and their misses show here in the database counts (they reach it through
 * the data API).
 *
 * @example
 * ```ts
 * export const GET = () => statsResponse({ database: store.counts() })
 * ```
 */
export function statsResponse(extra: Record<string, unknown> = {}): Response {
  const runtime = 'node'
  const { cache, driver, wire } = appCache()
  const stats = cache.stats()
  const reads = stats.hits + stats.misses + stats.staleHits
  return Response.json({ runtime, driver, wire, hitRate: reads === 0 ? null : Number((stats.hits / reads).toFixed(3)), routes: routeReport(), cache: stats, ...extra })
}
