import { connectionFromEnv, type RedisEnv } from './env-options.js'
import type { RedisDriver, RedisDriverTuning } from './options.js'
import { redisDriver } from './redis-driver.js'

/**
 * A node-redis driver configured from environment variables, the same ones as
 * `ioredisDriverFromEnv()`: `REDIS_URL` (`rediss://` for TLS), or `REDIS_HOST` with optional
 * `REDIS_PORT`, `REDIS_DB`, `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS=true`. Empty variables
 * count as unset. A malformed variable throws `InvalidOptionsError` naming it, never echoing its
 * value.
 *
 * @param env - where to read the variables. @default process.env
 * @param tuning - deadline and other tuning, as for `redisDriver()`. @default {}
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { redisDriverFromEnv } from '@cachette/redis'
 *
 * // REDIS_HOST=localhost REDIS_PORT=6379 REDIS_DB=0 REDIS_PASSWORD=
 * const cache = createCache({ driver: redisDriverFromEnv(), prefix: 'fhir' })
 * ```
 */
export function redisDriverFromEnv(env: RedisEnv = process.env, tuning: RedisDriverTuning = {}): RedisDriver {
  return redisDriver({ ...connectionFromEnv(env), ...tuning })
}
