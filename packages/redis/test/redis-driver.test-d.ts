import type { CompareAndSetCommands, Driver, TrackingCommands } from '@cachette/core'
import { createClient, createCluster } from 'redis'
import { describe, expectTypeOf, it } from 'vitest'
import { redisDriver, redisDriverFromEnv, type RedisDriver, type RedisDriverOptions } from '../src/index.js'

describe('redisDriver inference', () => {
  it('every form gives every command group, compareAndSet and tracking', () => {
    expectTypeOf(redisDriver({ url: 'redis://localhost:6379' })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ host: 'localhost', port: 6379, deadlineMs: 100 })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ sentinel: { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster' } })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ cluster: [{ host: '10.0.0.1', port: 7000 }] })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ client: createClient() })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ client: createClient({ RESP: 3 }) })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriver({ client: createCluster({ rootNodes: [] }) })).toEqualTypeOf<RedisDriver>()
    expectTypeOf(redisDriverFromEnv()).toEqualTypeOf<RedisDriver>()
    expectTypeOf<RedisDriver>().toExtend<Driver & CompareAndSetCommands & TrackingCommands>()
    // A method, not BaseDriver's optional one: no `?.` needed.
    expectTypeOf<undefined>().not.toExtend<RedisDriver['trackInvalidations']>()
    expectTypeOf<undefined>().not.toExtend<RedisDriver['compareAndSet']>()
  })

  it('refuses misspelt and mistyped options', () => {
    // @ts-expect-error a misspelt option is refused at compile time too
    redisDriver({ url: 'redis://localhost:6379', deadLine: 5 })
    // @ts-expect-error the port is a number
    redisDriver({ host: 'localhost', port: '6379' })
    // @ts-expect-error the Sentinel form needs the master name
    redisDriver({ sentinel: { sentinels: [{ host: 's1', port: 26379 }] } })
    expectTypeOf<{ sentinel: { sentinels: []; name: string } }>().toExtend<RedisDriverOptions>()
  })
})
