import 'server-only'
import { appCache } from '../cache'
import { itemInputSchema, itemPatchSchema, type Resource } from '../db/model'
import { openStore } from '../db/open-store'
import { listRoute } from './list-route'
import { respond } from './respond'
import { bodyOf, BadRequest, idOf, tenantOf } from './request'

type IdContext = { params: Promise<{ id: string }> }

/**
 * `/api/<resource>` on Node: the list, and the create that invalidates the tenant's lists it can
 * change (only after the row is committed, so a reader never caches the old list again).
 *
 * @example
 * ```ts
 * const routes = collectionRoutes('fmpa')
 * export const GET = routes.GET
 * ```
 */
export function collectionRoutes(resource: Resource) {
  return {
    GET: (request: Request) => listRoute(resource, 'node', request, openStore),
    POST: (request: Request) =>
      respond(`POST /api/${resource}`, async () => {
        const tenantId = tenantOf(request)
        const input = await bodyOf(request, itemInputSchema)
        const item = await (await openStore()).create(resource, tenantId, input)
        await appCache().invalidateLists(resource, tenantId, [item.status])
        return { body: item, status: 201 }
      }),
  }
}

/**
 * `/api/<resource>/[id]` on Node: the cached detail, and the update and delete that invalidate it
 * with the lists of the statuses before and after.
 *
 * @example
 * ```ts
 * const routes = itemRoutes('fmpa')
 * export const PUT = routes.PUT
 * ```
 */
export function itemRoutes(resource: Resource) {
  const detailKey = (tenantId: string, id: number) => appCache().keys.detail[resource]({ tenantId, id })
  return {
    GET: (request: Request, context: IdContext) =>
      respond(`GET /api/${resource}/[id]`, async () => {
        const tenantId = tenantOf(request)
        const id = idOf((await context.params).id)
        const { value, status } = await appCache().cached(detailKey(tenantId, id), async () => (await openStore()).get(resource, tenantId, id))
        if (value === null) throw new BadRequest(404, 'not found')
        return { body: value, cache: status }
      }),
    PUT: (request: Request, context: IdContext) =>
      respond(`PUT /api/${resource}/[id]`, async () => {
        const tenantId = tenantOf(request)
        const id = idOf((await context.params).id)
        const patch = await bodyOf(request, itemPatchSchema)
        const changed = await (await openStore()).update(resource, tenantId, id, patch)
        if (changed === null) throw new BadRequest(404, 'not found')
        await Promise.all([appCache().cache.invalidate(detailKey(tenantId, id)), appCache().invalidateLists(resource, tenantId, [changed.before.status, changed.after.status])])
        return { body: changed.after }
      }),
    DELETE: (request: Request, context: IdContext) =>
      respond(`DELETE /api/${resource}/[id]`, async () => {
        const tenantId = tenantOf(request)
        const id = idOf((await context.params).id)
        const removed = await (await openStore()).remove(resource, tenantId, id)
        if (removed === null) throw new BadRequest(404, 'not found')
        await Promise.all([appCache().cache.invalidate(detailKey(tenantId, id)), appCache().invalidateLists(resource, tenantId, [removed.status])])
        return { body: removed }
      }),
  }
}
