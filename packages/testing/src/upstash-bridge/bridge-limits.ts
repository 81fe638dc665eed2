import { InvalidOptionsError } from '@cachette/core'

/**
 * What one client may make the bridge hold. Each limit answers a request that passes it with an
 * Upstash-shaped `{ error }` and a 4xx status, and the bridge goes on serving other clients.
 */
export interface UpstashBridgeLimits {
  /**
   * Largest request body, in bytes. A larger body answers 413 (the connection is closed after
   * the answer, the rest of the body is read and dropped, never buffered).
   * @default 67108864 (64 MiB)
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redisUrl, maxBodyBytes: 1024 * 1024 })
   * ```
   */
  readonly maxBodyBytes?: number
  /**
   * Largest answer redis-server may send for one request (all the replies of a pipeline or a
   * transaction together), counted in RESP bytes as they arrive. Past it the request answers 400
   * and the bridge drops its Redis connection (the commands did run). This bounds what the
   * bridge holds, not what redis-server builds: redis-server prepares a reply (an `MGET` of one
   * big key 200 times) before a byte of it reaches the bridge.
   * @default 67108864 (64 MiB)
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redisUrl, maxReplyBytes: 8 * 1024 * 1024 })
   * ```
   */
  readonly maxReplyBytes?: number
  /**
   * Most commands in one `/pipeline` or `/multi-exec` body. More answers 413 before any of them
   * runs. The default leaves room for `@upstash/redis` auto-pipelining a large `Promise.all`.
   * @default 100000
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redisUrl, maxCommandsPerRequest: 1_000 })
   * ```
   */
  readonly maxCommandsPerRequest?: number
  /**
   * Most `/subscribe/<channel>` streams open at once; each holds a Redis connection of its own.
   * One more answers 429 until a stream ends.
   * @default 100
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redisUrl, maxSubscriptions: 10 })
   * ```
   */
  readonly maxSubscriptions?: number
}

/** The limits with every default applied. */
export type ResolvedBridgeLimits = { readonly [Name in keyof UpstashBridgeLimits]-?: number }

/** The defaults, documented on {@link UpstashBridgeLimits}. */
export const DEFAULT_BRIDGE_LIMITS: ResolvedBridgeLimits = {
  maxBodyBytes: 64 * 1024 * 1024,
  maxReplyBytes: 64 * 1024 * 1024,
  maxCommandsPerRequest: 100_000,
  maxSubscriptions: 100,
}

const PREFIX = '[@cachette/testing] startUpstashBridge'

/** Validates the limits once, where the options enter. */
export function resolveBridgeLimits(options: UpstashBridgeLimits): ResolvedBridgeLimits {
  const resolved: Record<keyof ResolvedBridgeLimits, number> = { ...DEFAULT_BRIDGE_LIMITS }
  for (const name of Object.keys(DEFAULT_BRIDGE_LIMITS) as (keyof ResolvedBridgeLimits)[]) {
    const value: unknown = options[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidOptionsError(`${PREFIX}: ${name} must be a positive integer (default ${DEFAULT_BRIDGE_LIMITS[name]})`)
    }
    resolved[name] = value
  }
  return resolved
}
