import { Redis } from '@upstash/redis'
import { startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '@cachette/testing'
import { afterAll, beforeAll } from 'vitest'

/** A real redis-server behind the Upstash REST bridge, for the tests of one file. */
export interface UpstashTestServer {
  readonly redis: RedisServerHandle
  readonly bridge: UpstashBridge
}

/** Starts redis-server + bridge in beforeAll, stops both in afterAll; returns a getter. */
export function useUpstashServer(): () => UpstashTestServer {
  let server: UpstashTestServer | undefined
  beforeAll(async () => {
    const redis = await startRedisServer()
    const bridge = await startUpstashBridge({ redisUrl: redis.url })
    server = { redis, bridge }
  })
  afterAll(async () => {
    await server?.bridge.stop()
    await server?.redis.stop()
  })
  return () => {
    if (server === undefined) throw new Error('the Upstash test server is not running')
    return server
  }
}

/** An @upstash/redis client on the bridge, configured as the driver needs it. */
export function bridgeClient(server: UpstashTestServer, options: { automaticDeserialization?: boolean; token?: string } = {}): Redis {
  return new Redis({
    url: server.bridge.url,
    token: options.token ?? server.bridge.token,
    automaticDeserialization: options.automaticDeserialization ?? false,
    enableTelemetry: false,
    retry: false,
  })
}

/** A random key prefix per test, instead of FLUSHDB. */
export function freshKeyPrefix(): string {
  return `up:${Math.random().toString(36).slice(2, 10)}:`
}
