import RedisMock from 'ioredis-mock'
import type { Redis } from 'ioredis'
import { ioredisDriver } from '../src/index.js'
import { runDriverConformance } from '@cachette/testing'

runDriverConformance('ioredis (ioredis-mock)', () => ioredisDriver({ client: new RedisMock() as unknown as Redis }))
