import { afterAll } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { startRedisSentinel } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-pubsub.js'

// A master, one replica and three Sentinels; the driver finds the master through the Sentinels.
const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
afterAll(() => group.stop())

runDriverConformance('ioredis (through Redis Sentinel)', () => ioredisDriver({ sentinels: group.sentinels, name: group.masterName }), {
  killPubSubConnections: () => killPubSubConnections([group.master, ...group.replicas]),
})
