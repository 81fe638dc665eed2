import * as z from 'zod'
import { DATA_API_TOKEN_HEADER } from '@/lib/db/data-api'
import { listFiltersSchema, RESOURCES } from '@/lib/db/model'
import { openStore } from '@/lib/db/open-store'
import { bodyOf, BadRequest } from '@/lib/http/request'
import { respond } from '@/lib/http/respond'
import { idSchema } from '@/lib/db/model'

/** The data API of the Edge routes: one query, behind a token shared by both runtimes. */
export const runtime = 'nodejs'

const querySchema = z.strictObject({ resource: z.enum(RESOURCES), tenantId: idSchema, filters: listFiltersSchema })

export function POST(request: Request): Promise<Response> {
  return respond('POST /api/internal/lists', async () => {
    const expected = process.env.INTERNAL_API_TOKEN
    if (!expected || request.headers.get(DATA_API_TOKEN_HEADER) !== expected) throw new BadRequest(403, 'forbidden')
    const { resource, tenantId, filters } = await bodyOf(request, querySchema)
    return { body: await (await openStore()).list(resource, tenantId, filters) }
  })
}
