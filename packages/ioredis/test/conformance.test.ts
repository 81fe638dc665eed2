import { afterAll } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-pubsub.js'

// Started at collection time: the suite makes one driver then to read its capabilities.
const server = await startRedisServer()
afterAll(() => server.stop())

runDriverConformance('ioredis (standalone redis-server)', () => ioredisDriver({ url: server.url }), {
  killPubSubConnections: () => killPubSubConnections([server]),
})
