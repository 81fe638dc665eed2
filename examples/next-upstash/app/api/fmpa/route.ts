import { collectionRoutes } from '@/lib/http/item-routes'

export const runtime = 'nodejs'
const routes = collectionRoutes('fmpa')
export const GET = routes.GET
export const POST = routes.POST
