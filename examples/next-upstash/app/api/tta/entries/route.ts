import { appCache } from '@/lib/cache'
import { idSchema, ttaInputSchema } from '@/lib/db/model'
import { openStore } from '@/lib/db/open-store'
import { bodyOf, BadRequest, tenantOf } from '@/lib/http/request'
import { respond } from '@/lib/http/respond'

export const runtime = 'nodejs'

function userOf(request: Request): string {
  const parsed = idSchema.safeParse(new URL(request.url).searchParams.get('user'))
  if (!parsed.success) throw new BadRequest(400, 'invalid query parameters: user')
  return parsed.data
}

/** A user's TTA entries (the seed's `tta:` prefix), cached 5 min. */
export function GET(request: Request): Promise<Response> {
  return respond('GET /api/tta/entries', async () => {
    const tenantId = tenantOf(request)
    const userId = userOf(request)
    const { value, status } = await appCache().cached(appCache().keys.tta({ tenantId, userId }), async () => (await openStore()).ttaEntries(tenantId, userId))
    return { body: value, cache: status }
  })
}

/** Logs an entry, then drops that user's list. */
export function POST(request: Request): Promise<Response> {
  return respond('POST /api/tta/entries', async () => {
    const tenantId = tenantOf(request)
    const userId = userOf(request)
    const entry = await (await openStore()).addTtaEntry(tenantId, userId, await bodyOf(request, ttaInputSchema))
    await appCache().cache.invalidate(appCache().keys.tta({ tenantId, userId }))
    return { body: entry, status: 201 }
  })
}
