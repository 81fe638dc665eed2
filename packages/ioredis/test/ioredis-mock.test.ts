import RedisMock from 'ioredis-mock'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { isCacheError } from '@cachette/core'
import { ioredisDriver } from '../src/index.js'

/*
 * ioredis-mock (8.13) behind this driver. The conformance suite runs on it
 * (ioredis-mock-conformance.test.ts), with every departure from Redis recorded as a quirk whose
 * alternative behaviour the suite asserts. What is left here is what the suite does not look at:
 * the mock's own error texts, some of which name the key.
 */

describe('the driver on ioredis-mock', () => {
  it('never copies a mock error text that names the key into the error it rejects with', async () => {
    const client = new RedisMock() as unknown as Redis
    const key = 'patient:{code-4242}:name'
    await client.set(key, 'Zoé')
    // The mock's ZCARD on a string throws "Key <key> does not contain a sorted set".
    const raw: unknown = await client.zcard(key).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(String((raw as Error).message)).toContain('code-4242')

    const driver = ioredisDriver({ client })
    const error: unknown = await driver.zcard(key).then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(isCacheError(error)).toBe(true)
    expect((error as { code: string }).code).toBe('DRIVER_FAILURE')
    const cause = (error as Error).cause as Error
    for (const text of [(error as Error).message, (error as Error).stack, cause.message, cause.stack, JSON.stringify(error), JSON.stringify(cause)]) {
      expect(text ?? '').not.toContain('code-4242')
    }
    await driver.close()
    expect(await client.get(key)).toBe('Zoé')
  })
})
