import { afterAll } from 'vitest'
import { createClient } from 'redis'
import { redisDriver, type RedisDriverClient } from '../src/index.js'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { killPubSubConnections } from './support/kill-connections.js'

// The contract on a client handed in, as node-redis 6 creates it by default: RESP3 (maps, pairs
// and doubles in replies where the driver's own RESP2 connections get flat arrays), offline
// queue on. The driver never closes it.
const server = await startRedisServer()
const clients: RedisDriverClient[] = []
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)))
  await server.stop()
})

runDriverConformance(
  'redis (node-redis, a RESP3 client handed in)',
  () => {
    const client = createClient({ url: server.url }) as unknown as RedisDriverClient
    client.on('error', () => undefined)
    clients.push(client)
    return redisDriver({ client })
  },
  { killPubSubConnections: () => killPubSubConnections([server]) },
)
