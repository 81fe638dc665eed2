import type { z } from 'zod'
import { idSchema, listFiltersSchema, type ListFilters } from '../db/model'

/** A request the route refuses: status and a message that never echoes the input. */
export class BadRequest extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** The names of the fields zod refused (never their values). */
function fields(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.path.join('.') || '(body)'))].join(', ')
}

/**
 * The tenant of the request. The seed reads it from its `auth()` session; this example takes the
 * `x-tenant-id` header (put your session lookup here).
 */
export function tenantOf(request: Request): string {
  const parsed = idSchema.safeParse(request.headers.get('x-tenant-id'))
  if (!parsed.success) throw new BadRequest(401, 'x-tenant-id: missing or invalid')
  return parsed.data
}

/** The list filters of a query string, defaults applied; unknown parameters are refused. */
export function filtersOf(url: URL): ListFilters {
  const parsed = listFiltersSchema.safeParse(Object.fromEntries(url.searchParams))
  if (!parsed.success) throw new BadRequest(400, `invalid query parameters: ${fields(parsed.error)}`)
  return parsed.data
}

/** Parses a JSON body with `schema`. */
export async function bodyOf<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  let json: unknown
  try {
    json = await request.json()
  } catch {
    throw new BadRequest(400, 'the body is not JSON')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new BadRequest(400, `invalid body: ${fields(parsed.error)}`)
  return parsed.data
}

/** A numeric id from the path. */
export function idOf(raw: string): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1) throw new BadRequest(400, 'invalid id')
  return id
}
