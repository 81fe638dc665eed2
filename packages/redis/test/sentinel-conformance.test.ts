import { afterAll } from 'vitest'
import { redisDriver } from '../src/index.js'
import { startRedisSentinel } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-connections.js'

// A master, one replica and three Sentinels; the driver finds the master through the Sentinels.
const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
afterAll(() => group.stop())

runDriverConformance('redis (node-redis, through Redis Sentinel)', () => redisDriver({ sentinel: { sentinels: group.sentinels, name: group.masterName } }), {
  killPubSubConnections: () => killPubSubConnections([group.master, ...group.replicas]),
})
