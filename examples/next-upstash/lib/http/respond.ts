import type { CacheStatus } from '../cache'
import { BadRequest } from './request'
import { recordRoute } from './route-metrics'

/** What a handler answers: a JSON body, its status, and for a cached read what answered it. */
export interface Answer {
  readonly body: unknown
  readonly status?: number
  readonly cache?: CacheStatus
}

/**
 * Runs a handler: `x-cache` and `server-timing` on cached reads, a JSON error for a bad request,
 * and a 500 that says nothing of the data for anything else.
 *
 * @example
 * ```ts
 * export const GET = (request: Request) => respond('GET /api/fmpa', async () => ({ body: page, cache: 'hit' }))
 * ```
 */
export async function respond(route: string, handler: () => Promise<Answer>): Promise<Response> {
  const started = performance.now()
  try {
    const answer = await handler()
    const ms = performance.now() - started
    const headers = new Headers({ 'content-type': 'application/json' })
    if (answer.cache !== undefined) {
      headers.set('x-cache', answer.cache)
      headers.set('server-timing', `cache;desc=${answer.cache};dur=${ms.toFixed(1)}`)
      recordRoute(route, answer.cache, ms)
    }
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers })
  } catch (error) {
    if (error instanceof BadRequest) return Response.json({ error: error.message }, { status: error.status })
    // The error's message may hold data (a row, a key): log its kind only.
    console.error(`${route}: ${error instanceof Error ? error.name : 'error'}`)
    return Response.json({ error: 'internal error' }, { status: 500 })
  }
}
