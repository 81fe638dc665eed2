/**
 * The smallest useful edge worker (getOrSet and invalidateTags over Upstash): what
 * worker-bundle-size.test.ts measures, so the number is what an application pays for Cachette.
 */
import { createCache } from '@cachette/core'
import { upstashDriver } from '@cachette/upstash'

interface Env {
  readonly UPSTASH_REDIS_REST_URL: string
  readonly UPSTASH_REDIS_REST_TOKEN: string
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const cache = createCache({ driver: upstashDriver({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }), prefix: 'edge', env: false })
    const url = new URL(request.url)
    if (request.method === 'DELETE') await cache.invalidateTags([url.pathname])
    const body = await cache.getOrSet(url.pathname, async () => ({ at: Date.now() }), { tags: [url.pathname] })
    await cache.close({ driver: true })
    return Response.json(body)
  },
}
