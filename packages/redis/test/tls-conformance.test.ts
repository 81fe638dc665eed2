import { afterAll } from 'vitest'
import { redisDriver } from '../src/index.js'
import { startRedisSentinel, startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-connections.js'

// The whole contract again over TLS: a TLS-only redis-server, and a Sentinel group whose master
// and replica serve TLS only (the driver asks the Sentinels in plain TCP).
const server = await startRedisServer({ tls: true })
const group = await startRedisSentinel({ replicas: 1, sentinels: 1, tls: true })
afterAll(() => Promise.all([server.stop(), group.stop()]))

runDriverConformance('redis (node-redis, standalone redis-server over TLS)', () => redisDriver({ url: server.url, tls: { ca: server.tls?.ca ?? '' } }), {
  killPubSubConnections: () => killPubSubConnections([server]),
})
runDriverConformance(
  'redis (node-redis, through Redis Sentinel, master over TLS)',
  () => redisDriver({ sentinel: { sentinels: group.sentinels, name: group.masterName }, tls: { ca: group.tls?.ca ?? '' } }),
  { killPubSubConnections: () => killPubSubConnections([group.master, ...group.replicas].map((node) => ({ port: node.port, tls: group.tls }))) },
)
