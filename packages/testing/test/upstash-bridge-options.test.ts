/**
 * The bridge's options are validated once, at start, into readable InvalidOptionsErrors: the
 * limits (positive integers with documented defaults) and allowFlush (a boolean).
 */
import { isCacheError } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { startUpstashBridge, type UpstashBridgeOptions } from '../src/index.js'
import { DEFAULT_BRIDGE_LIMITS } from '../src/upstash-bridge/bridge-limits.js'

// Nothing connects to Redis before a request arrives, so no server is needed here.
const redisUrl = 'redis://127.0.0.1:1'

async function startError(options: Record<string, unknown>): Promise<unknown> {
  return startUpstashBridge({ redisUrl, ...options } as UpstashBridgeOptions).then(
    async (bridge) => {
      await bridge.stop()
      return undefined
    },
    (error: unknown) => error,
  )
}

describe('startUpstashBridge limits', () => {
  it('documents its defaults: 64 MiB bodies and replies, 100,000 commands, 100 subscriptions', () => {
    expect(DEFAULT_BRIDGE_LIMITS).toEqual({
      maxBodyBytes: 64 * 1024 * 1024,
      maxReplyBytes: 64 * 1024 * 1024,
      maxCommandsPerRequest: 100_000,
      maxSubscriptions: 100,
    })
  })

  it.each(Object.entries(DEFAULT_BRIDGE_LIMITS))('refuses a %s that is not a positive integer', async (name, fallback) => {
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '10', null]) {
      const error = await startError({ [name]: value })
      expect(isCacheError(error) && error.code, `${name}: ${String(value)}`).toBe('INVALID_OPTIONS')
      expect((error as Error).message).toBe(`[@cachette/testing] startUpstashBridge: ${name} must be a positive integer (default ${fallback})`)
    }
  })

  it('accepts positive integers', async () => {
    expect(await startError({ maxBodyBytes: 1, maxReplyBytes: 1, maxCommandsPerRequest: 1, maxSubscriptions: 1 })).toBeUndefined()
  })
})

describe('startUpstashBridge allowFlush', () => {
  it('must be a boolean', async () => {
    const error = await startError({ allowFlush: 'yes' })
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    expect((error as Error).message).toBe('[@cachette/testing] startUpstashBridge: allowFlush must be a boolean (default false)')
    expect(await startError({ allowFlush: true })).toBeUndefined()
  })
})
