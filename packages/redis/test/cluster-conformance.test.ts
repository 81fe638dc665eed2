import { afterAll } from 'vitest'
import { redisDriver } from '../src/index.js'
import { startRedisCluster } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-connections.js'

// A real 3-master Redis Cluster. The suite's key prefixes carry a {hash tag}, so each test's
// keys share a slot; scan still has to visit every master because prefixes spread over all.
const cluster = await startRedisCluster({ masters: 3 })
afterAll(() => cluster.stop())

runDriverConformance('redis (node-redis, 3-master Redis Cluster)', () => redisDriver({ cluster: cluster.nodes }), {
  quirks: {
    // Redis Cluster PUBLISH counts the subscribers of the node that received it only.
    publishCountsOneNode: true,
  },
  // Every node: the subscriber connection sits on one master the driver picks.
  killPubSubConnections: () => killPubSubConnections(cluster.nodes),
})
