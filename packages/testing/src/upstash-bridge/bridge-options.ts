import { randomBytes } from 'node:crypto'
import { InvalidOptionsError } from '@cachette/core'
import type { RedisEndpoint } from './resp-connection.js'

/** Options of {@link startUpstashBridge}: where redis-server is, and the token clients must send. */
export type UpstashBridgeOptions = (
  | {
      /** `redis://[[user]:password@]host:port[/db]` of the redis-server behind the bridge. */
      readonly redisUrl: string
      readonly redis?: undefined
    }
  | {
      /** Host and port of the redis-server behind the bridge. */
      readonly redis: { readonly host: string; readonly port: number; readonly password?: string; readonly db?: number }
      readonly redisUrl?: undefined
    }
) & {
  /**
   * The bearer token clients must send (`Authorization: Bearer <token>` or `?_token=`).
   * @default a random 32-character hex token
   */
  readonly token?: string
}

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

/** Validates the options once, into an endpoint and a token. */
export function resolveBridgeOptions(options: UpstashBridgeOptions): { endpoint: RedisEndpoint; token: string } {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`${PREFIX}: options are required`)
  const token = options.token ?? randomBytes(16).toString('hex')
  if (typeof token !== 'string' || token.length === 0) throw new InvalidOptionsError(`${PREFIX}: token must be a non-empty string`)
  if (typeof options.redisUrl === 'string') return { endpoint: endpointFromUrl(options.redisUrl), token }
  const redis = options.redis
  if (typeof redis !== 'object' || redis === null) {
    throw new InvalidOptionsError(`${PREFIX}: give redisUrl or redis: { host, port }`)
  }
  if (typeof redis.host !== 'string' || !Number.isInteger(redis.port) || redis.port <= 0 || redis.port > 65535) {
    throw new InvalidOptionsError(`${PREFIX}: redis.host must be a string and redis.port an integer in 1..65535`)
  }
  return { endpoint: { ...redis }, token }
}
