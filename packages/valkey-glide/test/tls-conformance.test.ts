import { afterAll } from 'vitest'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { glideDriver } from '../src/index.js'
import { killPubSubConnections } from './support/kill-pubsub.js'

// The whole contract again over TLS: a TLS-only redis-server, trusted through its test CA.
const server = await startRedisServer({ tls: true })
afterAll(() => server.stop())

runDriverConformance(
  'valkey-glide (standalone redis-server over TLS)',
  () => glideDriver({ addresses: [{ host: server.host, port: server.port }], useTLS: true, tls: { rootCertificates: server.tls?.ca ?? '' } }),
  { killPubSubConnections: () => killPubSubConnections([server]) },
)
