import { isCacheError } from '@cachette/core'
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import type { z } from 'zod'

/**
 * A 400 naming each invalid field and what is wrong with it, never the value received (zod's
 * messages do not quote values; an unknown field is reported without its name).
 *
 * @example
 * ```ts
 * if (!parsed.success) return invalid(reply, parsed.error)
 * ```
 */
export function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const details = error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`)
  return reply.code(400).send({ error: 'Requête invalide', details })
}

/** A transaction refused for a reason the route answers (thrown inside it, so it rolls back). */
export class WriteRefused extends Error {
  override readonly name = 'WriteRefused'
  constructor(
    readonly status: 404 | 422,
    readonly answer: string,
  ) {
    super(answer)
  }
}

/** What an invalidation rule did, in the write's answer. */
export type InvalidationOutcome = { readonly invalidated: number } | { readonly invalidation: 'pending'; readonly code: string }

/**
 * Runs one of seed 002's invalidation rules once the write has committed. The write stands
 * whatever happens here: a rule that cannot reach the store (down, past its deadline, circuit
 * open) was queued by the cache, which retries it and meanwhile reads the exports it covers as
 * misses in this process. The answer says so, and a warning names the error's code (never a key).
 *
 * @example
 * ```ts
 * const cache = await invalidateAfterCommit(request.log, () => exports.movementChanged())
 * ```
 */
export async function invalidateAfterCommit(log: FastifyBaseLogger, rule: () => Promise<number>): Promise<InvalidationOutcome> {
  try {
    return { invalidated: await rule() }
  } catch (error) {
    const code = isCacheError(error) ? error.code : 'UNKNOWN'
    log.warn({ code }, 'export invalidation did not reach the store; the cache retries it')
    return { invalidation: 'pending', code }
  }
}
