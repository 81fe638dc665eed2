import { findFreePort, startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '@cachette/testing'
import { startApp, type RunningApp } from '../../scripts/next-app'

export interface Stack {
  readonly redis: RedisServerHandle
  readonly bridge: UpstashBridge
  readonly app: RunningApp
  stop(): Promise<void>
}

/**
 * A fresh redis-server, the Upstash bridge in front of it, and `next start` on free loopback
 * ports, with `env` added (the app must be built). Each stack has its own data (PGlite in memory).
 *
 * @example
 * ```ts
 * const stack = await startStack({ CACHE_WIRE: 'plain' })
 * ```
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const redis = await startRedisServer()
  const bridge = await startUpstashBridge({ redisUrl: redis.url })
  const app = await startApp(await findFreePort(), {
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    INTERNAL_API_TOKEN: 'test-token-0123456789',
    ...env,
  }).catch(async (error: unknown) => {
    await bridge.stop()
    await redis.stop()
    throw error
  })
  return {
    redis,
    bridge,
    app,
    async stop() {
      await app.stop()
      await bridge.stop()
      await redis.stop()
    },
  }
}
