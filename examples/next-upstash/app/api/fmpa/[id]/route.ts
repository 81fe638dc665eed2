import { itemRoutes } from '@/lib/http/item-routes'

export const runtime = 'nodejs'
const routes = itemRoutes('fmpa')
export const GET = routes.GET
export const PUT = routes.PUT
export const DELETE = routes.DELETE
