import { dataApi } from '@/lib/db/data-api'
import { listRoute } from '@/lib/http/list-route'

// The same list, cache and keys as /api/fmpa, on the Edge runtime: a hit never leaves the edge;
// a miss reaches the database through the data API.
export const runtime = 'edge'
export const GET = (request: Request) => listRoute('fmpa', 'edge', request, async () => dataApi(request))
