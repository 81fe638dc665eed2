import { afterAll } from 'vitest'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { glideDriver } from '../src/index.js'
import { killPubSubConnections } from './support/kill-pubsub.js'

// Started at collection time: the suite makes one driver then to read its capabilities.
const server = await startRedisServer()
afterAll(() => server.stop())

runDriverConformance('valkey-glide (standalone redis-server)', () => glideDriver({ addresses: [{ host: server.host, port: server.port }] }), {
  killPubSubConnections: () => killPubSubConnections([server]),
})
