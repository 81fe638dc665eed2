import { afterAll } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { startRedisCluster } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-pubsub.js'

// A real 3-master Redis Cluster. The suite's key prefixes carry a {hash tag}, so each test's
// keys share a slot; scan still has to visit every master because prefixes spread over all.
const cluster = await startRedisCluster({ masters: 3 })
afterAll(() => cluster.stop())

runDriverConformance('ioredis (3-master Redis Cluster)', () => ioredisDriver({ cluster: cluster.nodes }), {
  quirks: {
    // Redis Cluster PUBLISH counts the subscribers of the node that received it only; the
    // subscriber's connection may sit on another node (it still receives the message).
    publishCountsOneNode: true,
  },
  // Every node: the subscriber connection sits on a node ioredis picks at random.
  killPubSubConnections: () => killPubSubConnections(cluster.nodes),
})
