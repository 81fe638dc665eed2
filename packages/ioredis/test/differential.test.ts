import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryDriver, type Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { applyDriverCommand, driverCommandsArbitrary } from '@cachette/testing/conformance'
import { ioredisDriver } from '../src/index.js'

/**
 * The same random command sequences on memoryDriver and on a real redis-server (through this
 * driver): every result must be equal. Sequences hit the corners on purpose (one key taking
 * every type, integer edge values, UTF-8 vs UTF-16 member order, glob escapes, batches).
 */
describe('memoryDriver and redis-server agree', () => {
  let server: RedisServerHandle
  let redis: Driver
  beforeAll(async () => {
    server = await startRedisServer()
    redis = ioredisDriver({ url: server.url })
  })
  afterAll(async () => {
    await redis.close()
    await server.stop()
  })

  it('on 300 random command sequences (long TTLs, real time)', async () => {
    // 'long' TTLs (hours to days) never expire during a sequence, so real time passing between
    // two commands cannot make the stores disagree; pttl is compared as "has a TTL" then.
    const sequences = driverCommandsArbitrary({ ttl: 'long', maxCommands: 40 })
    await fc.assert(
      fc.asyncProperty(sequences, async (commands) => {
        const prefix = `diff:{${Math.random().toString(36).slice(2)}}:`
        const memory = memoryDriver()
        try {
          for (const [step, command] of commands.entries()) {
            const expected = await applyDriverCommand(redis, prefix, command)
            const actual = await applyDriverCommand(memory, prefix, command)
            expect(actual, `step ${step}: ${JSON.stringify(command)}`).toEqual(expected)
          }
        } finally {
          await memory.close()
        }
      }),
      { numRuns: 300 },
    )
  })
})
