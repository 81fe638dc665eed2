import { afterAll } from 'vitest'
import { startRedisCluster } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { glideDriver } from '../src/index.js'
import { killPubSubConnections } from './support/kill-pubsub.js'

// A real 3-master Redis Cluster, reached through GLIDE's GlideClusterClient (its own slot
// routing). The suite's key prefixes carry a {hash tag}, so each test's keys share a slot; scan
// still has to visit every master because prefixes spread over all of them.
const cluster = await startRedisCluster({ masters: 3 })
afterAll(() => cluster.stop())

runDriverConformance('valkey-glide (3-master Redis Cluster)', () => glideDriver({ addresses: cluster.nodes.map((node) => ({ host: node.host, port: node.port })), clusterMode: true }), {
  quirks: {
    // Redis Cluster PUBLISH counts the subscribers of the node that received it only.
    publishCountsOneNode: true,
  },
  killPubSubConnections: () => killPubSubConnections(cluster.nodes),
})
