import { Redis } from 'ioredis'
import { describe, expect, inject, it } from 'vitest'
import { createClient } from '../src/create-client.js'
import { resolveOptions } from '../src/resolve-options.js'
import { loadedIoredisMajor } from './support/ioredis-version.js'

/**
 * Each vitest project says which ioredis major it runs on; this checks the run really loaded it,
 * in the tests and in the driver's sources (a lost alias would run the ioredis@6 project on 5).
 */
describe('the ioredis this project runs on', () => {
  it('is the major the project names, in the test files', () => {
    expect(loadedIoredisMajor()).toBe(inject('ioredisMajor'))
  })

  it("is the one the driver's sources open their connections with", () => {
    const { target, tuning } = resolveOptions({ url: 'redis://127.0.0.1:6379', redisOptions: { lazyConnect: true } })
    if (target.kind !== 'standalone') throw new Error(`unexpected target ${target.kind}`)
    const client = createClient(target, tuning)
    try {
      expect(client).toBeInstanceOf(Redis)
    } finally {
      client.disconnect()
    }
  })
})
