import { afterAll } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { runDriverConformance, startRedisSentinel } from '@cachette/testing'

// A master, one replica and three Sentinels; the driver finds the master through the Sentinels.
const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
afterAll(() => group.stop())

runDriverConformance('ioredis (through Redis Sentinel)', () => ioredisDriver({ sentinels: group.sentinels, name: group.masterName }))
