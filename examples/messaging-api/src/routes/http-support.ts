import { isCacheError } from '@cachette/core'
import { isMessagingError, isOutboxError, type UserRef } from '@cachette/messaging'
import { z } from 'zod'

/** A 4xx the error handler answers as it is: a fixed text and a code, never the request's values. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
  ) {
    super(code)
  }
}

/**
 * Parses a body, query or params with zod; a mismatch is a 400 `INVALID_REQUEST` (the issues'
 * paths would be safe, their messages can quote values: neither is answered).
 *
 * @example
 * ```ts
 * const { q } = parseInput(SearchQuery, request.query)
 * ```
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new HttpError(400, 'INVALID_REQUEST')
  return parsed.data
}

// The seed says `medecin`; the package says `doctor`: both are accepted in URLs.
const UserType = z.enum(['doctor', 'patient', 'medecin']).transform((type) => (type === 'medecin' ? 'doctor' : type))

/** `:type/:id` of the /users routes. */
export const UserParams = z.object({ type: UserType, id: z.string().min(1).max(128) })

/** The user of a `/users/:type/:id/...` route. */
export function userOf(params: unknown): UserRef {
  return parseInput(UserParams, params)
}

/** `?limit=&cursor=&order=` of a paged read. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().min(1).max(512).optional(),
  order: z.enum(['newest', 'oldest']).optional(),
})

/** Drops undefined fields (exactOptionalPropertyTypes: the package's options are `?:`, not `| undefined`). */
export function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> }
}

/** The HTTP status and code of an error the routes let through; 500 for anything unknown. */
export function statusOf(error: unknown): { readonly status: number; readonly code: string } {
  if (error instanceof HttpError) return { status: error.statusCode, code: error.code }
  if (isMessagingError(error)) {
    const status = error.code === 'CONVERSATION_NOT_FOUND' ? 404 : error.code === 'NOT_A_PARTICIPANT' ? 403 : 503
    return { status, code: error.code }
  }
  // A full outbox drops nothing and takes nothing more: the client retries later.
  if (isOutboxError(error)) return { status: 503, code: error.code }
  if (isCacheError(error)) return { status: error.code === 'INVALID_OPTIONS' ? 400 : 503, code: error.code }
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as { code?: unknown }).code
    return { status, code: typeof code === 'string' ? code : 'BAD_REQUEST' }
  }
  return { status: 500, code: 'INTERNAL' }
}

/** What a degraded read answers: 503, never an empty list that looks like "no messages". */
export const DEGRADED = { error: 'Messagerie temporairement indisponible', code: 'STORE_UNAVAILABLE', degraded: true } as const
