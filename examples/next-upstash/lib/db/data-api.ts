import type { ListFilters, Page, Resource } from './model'
import type { ListSource } from './store'

/** The header that carries the data API's token. */
export const DATA_API_TOKEN_HEADER = 'x-data-api-token'

/**
 * The database as the Edge routes reach it: over HTTP, through the Node route
 * `/api/internal/lists` (as Prisma Accelerate or a Data API does for an edge function that cannot
 * open a PostgreSQL connection). `INTERNAL_API_URL` overrides the origin (behind a proxy);
 * `INTERNAL_API_TOKEN` must be set on the server, the same for both runtimes.
 *
 * @example
 * ```ts
 * const page = await dataApi(request).list('fmpa', 'sdis-13', filters)
 * ```
 */
export function dataApi(request: Request): ListSource {
  const origin = process.env.INTERNAL_API_URL || new URL(request.url).origin
  const token = process.env.INTERNAL_API_TOKEN
  return {
    async list(resource: Resource, tenantId: string, filters: ListFilters): Promise<Page> {
      if (!token) throw new Error('INTERNAL_API_TOKEN is not set: the Edge routes cannot reach the database')
      const response = await fetch(`${origin}/api/internal/lists`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [DATA_API_TOKEN_HEADER]: token },
        body: JSON.stringify({ resource, tenantId, filters }),
      })
      if (!response.ok) throw new Error(`the data API answered ${response.status}`)
      return (await response.json()) as Page
    },
  }
}
