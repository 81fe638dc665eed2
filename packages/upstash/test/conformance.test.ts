/**
 * The shared driver suite on the real stack: upstashDriver -> @upstash/redis -> HTTP -> the
 * Upstash REST bridge -> a real redis-server.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll } from 'vitest'
import { startRedisServer, startUpstashBridge } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { upstashDriver } from '../src/index.js'

// Started at collection time: the suite makes one driver then to read its capabilities.
const redis = await startRedisServer()
const bridge = await startUpstashBridge({ redisUrl: redis.url })
afterAll(async () => {
  await bridge.stop()
  await redis.stop()
})

runDriverConformance('upstash (REST bridge to redis-server)', () => upstashDriver({ url: bridge.url, token: bridge.token }), {
  // The bridge's SSE subscription holds one redis-server connection; killing it ends the stream,
  // as Upstash ends it when its Redis connection goes.
  killPubSubConnections: async () => {
    await promisify(execFile)('redis-cli', ['-p', String(redis.port), 'CLIENT', 'KILL', 'TYPE', 'pubsub'])
  },
})
