import { appCache } from '@/lib/cache'
import { openStore } from '@/lib/db/open-store'
import { tenantOf } from '@/lib/http/request'
import { respond } from '@/lib/http/respond'

export const runtime = 'nodejs'

/**
 * The tenant's dashboard, cached 15 min. As in the seed, writes do not drop it: its counts may lag
 * by up to the TTL ("calculs coûteux, changements modérés"); `invalidateStatsCache` exists for a
 * write that must show at once.
 */
export function GET(request: Request): Promise<Response> {
  return respond('GET /api/stats', async () => {
    const tenantId = tenantOf(request)
    const { value, status } = await appCache().cached(appCache().keys.stats({ tenantId }), async () => (await openStore()).stats(tenantId))
    return { body: value, cache: status }
  })
}
