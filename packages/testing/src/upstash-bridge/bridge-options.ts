import { randomBytes } from 'node:crypto'
import { InvalidOptionsError } from '@cachette/core'
import { resolveBridgeLimits, type ResolvedBridgeLimits, type UpstashBridgeLimits } from './bridge-limits.js'
import type { RedisEndpoint } from './resp-connection.js'

/**
 * Options of {@link startUpstashBridge}: where redis-server is, the token clients must send, what
 * one client may make the bridge hold ({@link UpstashBridgeLimits}), and whether FLUSHDB and
 * FLUSHALL go through.
 */
export type UpstashBridgeOptions = (
  | {
      /**
       * `redis://[[user]:password@]host:port[/db]` of the redis-server behind the bridge.
       * @example
       * ```ts
       * const bridge = await startUpstashBridge({ redisUrl: server.url })
       * ```
       */
      readonly redisUrl: string
      readonly redis?: undefined
    }
  | {
      /**
       * Host and port of the redis-server behind the bridge.
       * @example
       * ```ts
       * const bridge = await startUpstashBridge({ redis: { host: server.host, port: server.port, db: 2 } })
       * ```
       */
      readonly redis: { readonly host: string; readonly port: number; readonly password?: string; readonly db?: number }
      readonly redisUrl?: undefined
    }
) & {
  /**
   * The bearer token clients must send (`Authorization: Bearer <token>` or `?_token=`).
   * @default a random 32-character hex token
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redisUrl, token: 'test-token' })
   * ```
   */
  readonly token?: string
  /**
   * Lets FLUSHDB and FLUSHALL through. Upstash accepts both (`redis.flushdb()`), but a bridge
   * usually sits in front of a redis-server that other test files share, and a flush would wipe
   * their keys too; so both answer 400 unless this is `true`. Set it when the redis-server (or,
   * for FLUSHDB, the `db`) is this bridge's alone.
   * @default false
   * @example
   * ```ts
   * const bridge = await startUpstashBridge({ redis: { host, port, db: 5 }, allowFlush: true })
   * await redis.flushdb() // empties db 5 only
   * ```
   */
  readonly allowFlush?: boolean
} & UpstashBridgeLimits

const PREFIX = '[@cachette/testing] startUpstashBridge'

function endpointFromUrl(redisUrl: string): RedisEndpoint {
  let url: URL
  try {
    url = new URL(redisUrl)
  } catch {
    throw new InvalidOptionsError(`${PREFIX}: redisUrl is not a URL (expected redis://host:port)`)
  }
  if (url.protocol !== 'redis:') throw new InvalidOptionsError(`${PREFIX}: redisUrl must start with redis://`)
  const port = url.port === '' ? 6379 : Number(url.port)
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined
  if (db !== undefined && !Number.isInteger(db)) throw new InvalidOptionsError(`${PREFIX}: redisUrl's database must be an integer`)
  return {
    host: url.hostname,
    port,
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(db === undefined ? {} : { db }),
  }
}

/** The options once validated, defaults applied. */
export interface ResolvedBridgeOptions {
  readonly endpoint: RedisEndpoint
  readonly token: string
  readonly allowFlush: boolean
  readonly limits: ResolvedBridgeLimits
}

/** Validates the options once, into an endpoint, a token, the flush switch and the limits. */
export function resolveBridgeOptions(options: UpstashBridgeOptions): ResolvedBridgeOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`${PREFIX}: options are required`)
  const token = options.token ?? randomBytes(16).toString('hex')
  if (typeof token !== 'string' || token.length === 0) throw new InvalidOptionsError(`${PREFIX}: token must be a non-empty string`)
  const allowFlush = options.allowFlush ?? false
  if (typeof allowFlush !== 'boolean') throw new InvalidOptionsError(`${PREFIX}: allowFlush must be a boolean (default false)`)
  return { endpoint: resolveEndpoint(options), token, allowFlush, limits: resolveBridgeLimits(options) }
}

function resolveEndpoint(options: UpstashBridgeOptions): RedisEndpoint {
  if (typeof options.redisUrl === 'string') return endpointFromUrl(options.redisUrl)
  const redis = options.redis
  if (typeof redis !== 'object' || redis === null) {
    throw new InvalidOptionsError(`${PREFIX}: give redisUrl or redis: { host, port }`)
  }
  if (typeof redis.host !== 'string' || !Number.isInteger(redis.port) || redis.port <= 0 || redis.port > 65535) {
    throw new InvalidOptionsError(`${PREFIX}: redis.host must be a string and redis.port an integer in 1..65535`)
  }
  return { ...redis }
}
