import { fileURLToPath } from 'node:url'
import { startRedisServer, startUpstashBridge, type RedisServerHandle, type UpstashBridge } from '@cachette/testing'
import { afterAll, beforeAll, describe } from 'vitest'
import { describeFenceRace, killFenceRaceWorkers, runFenceRace } from '../../ioredis/test/support/fence-race-harness.js'
import { registerFenceRaceTests } from '../../ioredis/test/support/fence-race-tests.js'
import type { FenceRaceConfig } from '../../ioredis/test/support/fence-race-process.js'
import { freshKeyPrefix } from './support/upstash-server.js'

/**
 * The cache-aside race across two real Node processes, on Upstash: upstashDriver -> @upstash/redis
 * -> HTTP -> the REST bridge -> a real redis-server; the database is a separate redis-server
 * behind its own bridge. The race, the two processes and the counting are shared with the ioredis
 * package (packages/ioredis/test/fence-race.test.ts explains them). With `fence: false` the same
 * race must leave stale values, or 0 stale rounds with the fence would prove nothing.
 */

const WORKER = fileURLToPath(new URL('./support/fence-race-worker.ts', import.meta.url))
const ROUNDS = 60

interface BridgedServer {
  readonly redis: RedisServerHandle
  readonly bridge: UpstashBridge
}

async function startBridgedServer(): Promise<BridgedServer> {
  const redis = await startRedisServer()
  return { redis, bridge: await startUpstashBridge({ redisUrl: redis.url }) }
}

describe('fence race across two processes, Upstash through the bridge', () => {
  let cacheServer: BridgedServer | undefined
  let databaseServer: BridgedServer | undefined
  beforeAll(async () => {
    ;[cacheServer, databaseServer] = await Promise.all([startBridgedServer(), startBridgedServer()])
  })
  afterAll(async () => {
    killFenceRaceWorkers()
    for (const server of [cacheServer, databaseServer]) {
      await server?.bridge.stop()
      await server?.redis.stop()
    }
  })

  async function race(fence: boolean, invalidation: FenceRaceConfig['invalidation']) {
    const { url, token } = (cacheServer as BridgedServer).bridge
    const database = (databaseServer as BridgedServer).bridge
    const result = await runFenceRace({
      worker: WORKER,
      rounds: ROUNDS,
      // freshKeyPrefix() ends with ':', which a cache prefix may not.
      config: { prefix: freshKeyPrefix().slice(0, -1), fence, invalidation, store: { url, token }, database: { url: database.url, token: database.token } },
    })
    const label = `upstash, ${invalidation === 'key' ? 'invalidate' : 'invalidateTags'}, ${fence ? 'fenced' : 'fence: false'}`
    if (process.env['CACHETTE_PRINT_MEASURES']) console.log(describeFenceRace(label, result))
    return result
  }

  registerFenceRaceTests(race)
})
