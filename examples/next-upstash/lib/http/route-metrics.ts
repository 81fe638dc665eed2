import type { CacheStatus } from '../cache'

interface RouteCounters {
  hit: number
  miss: number
  stale: number
  /** The last 1,000 durations, in ms. */
  readonly durations: number[]
}

const holder = globalThis as { __nextUpstashRoutes?: Map<string, RouteCounters> }
const routes = (holder.__nextUpstashRoutes ??= new Map())

/** Counts one answered request of `route`. */
export function recordRoute(route: string, status: CacheStatus, ms: number): void {
  let counters = routes.get(route)
  if (counters === undefined) routes.set(route, (counters = { hit: 0, miss: 0, stale: 0, durations: [] }))
  counters[status]++
  counters.durations.push(ms)
  if (counters.durations.length > 1_000) counters.durations.shift()
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2))
}

/** Per route: answers by status, hit rate, median and p90 duration (this runtime only). */
export function routeReport() {
  return Object.fromEntries(
    [...routes].map(([route, c]) => {
      const sorted = [...c.durations].sort((a, b) => a - b)
      const total = c.hit + c.miss + c.stale
      return [route, { hit: c.hit, miss: c.miss, stale: c.stale, hitRate: total === 0 ? null : Number((c.hit / total).toFixed(3)), medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) }]
    }),
  )
}
