import { appCache } from '@/lib/cache'
import { idSchema, profilePatchSchema } from '@/lib/db/model'
import { openStore } from '@/lib/db/open-store'
import { bodyOf, BadRequest } from '@/lib/http/request'
import { respond } from '@/lib/http/respond'

export const runtime = 'nodejs'
type IdContext = { params: Promise<{ id: string }> }

async function userIdOf(context: IdContext): Promise<string> {
  const parsed = idSchema.safeParse((await context.params).id)
  if (!parsed.success) throw new BadRequest(400, 'invalid user id')
  return parsed.data
}

/** A user profile, cached 30 min (the seed's `user:` prefix). */
export function GET(_request: Request, context: IdContext): Promise<Response> {
  return respond('GET /api/users/[id]', async () => {
    const userId = await userIdOf(context)
    const { value, status } = await appCache().cached(appCache().keys.profile({ userId }), async () => (await openStore()).profile(userId))
    if (value === null) throw new BadRequest(404, 'not found')
    return { body: value, cache: status }
  })
}

/** Updates a profile, then drops its entry. */
export function PATCH(request: Request, context: IdContext): Promise<Response> {
  return respond('PATCH /api/users/[id]', async () => {
    const userId = await userIdOf(context)
    const patch = await bodyOf(request, profilePatchSchema)
    const profile = await (await openStore()).updateProfile(userId, patch)
    if (profile === null) throw new BadRequest(404, 'not found')
    await appCache().cache.invalidate(appCache().keys.profile({ userId }))
    return { body: profile }
  })
}
