import { afterAll } from 'vitest'
import { redisDriver } from '../src/index.js'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-connections.js'

// Started at collection time: the suite makes one driver then to read its capabilities.
const server = await startRedisServer()
afterAll(() => server.stop())

runDriverConformance('redis (node-redis, standalone redis-server)', () => redisDriver({ url: server.url }), {
  killPubSubConnections: () => killPubSubConnections([server]),
})
