import { afterAll } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { startRedisServer } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'

// Started at collection time: the suite makes one driver then to read its capabilities.
const server = await startRedisServer()
afterAll(() => server.stop())

runDriverConformance('ioredis (standalone redis-server)', () => ioredisDriver({ url: server.url }))
