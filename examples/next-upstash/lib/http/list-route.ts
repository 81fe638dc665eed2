import { appCache } from '../cache'
import type { Resource } from '../db/model'
import type { ListSource } from '../db/store'
import { respond } from './respond'
import { filtersOf, tenantOf } from './request'

/**
 * GET of a tenant's list, cache-aside as the seed does it, on either runtime: `source` is the
 * database on Node and the data API on the Edge.
 *
 * @example
 * ```ts
 * export const GET = (request: Request) => listRoute('fmpa', 'node', request, await openStore())
 * ```
 */
export function listRoute(resource: Resource, runtime: 'node' | 'edge', request: Request, source: () => Promise<ListSource>): Promise<Response> {
  const path = runtime === 'edge' ? `/api/edge/${resource}` : `/api/${resource}`
  return respond(`GET ${path}`, async () => {
    const tenantId = tenantOf(request)
    const filters = filtersOf(new URL(request.url))
    const { value, status } = await appCache().cached(appCache().listKey(resource, tenantId, filters), async () => (await source()).list(resource, tenantId, filters))
    return { body: value, cache: status }
  })
}
