import type { Driver } from '@cachette/core'
import { connectionFromEnv, type RedisEnv } from './env-options.js'
import { ioredisDriver } from './ioredis-driver.js'
import type { IoredisDriverTuning } from './options.js'

/**
 * An ioredis driver configured from environment variables: `REDIS_URL` (`rediss://` for TLS), or
 * `REDIS_HOST` with optional `REDIS_PORT`, `REDIS_DB`, `REDIS_USERNAME`, `REDIS_PASSWORD`,
 * `REDIS_TLS=true`. Empty variables count as unset. A malformed variable throws
 * `InvalidOptionsError` naming it, never echoing its value.
 *
 * @param env - where to read the variables. @default process.env
 * @param tuning - deadline and other tuning, as for `ioredisDriver()`. @default {}
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { ioredisDriverFromEnv } from '@cachette/ioredis'
 *
 * // REDIS_HOST=localhost REDIS_PORT=6379 REDIS_DB=0 REDIS_PASSWORD=
 * const cache = createCache({ driver: ioredisDriverFromEnv(), prefix: 'fhir' })
 * ```
 */
export function ioredisDriverFromEnv(env: RedisEnv = process.env, tuning: IoredisDriverTuning = {}): Driver {
  return ioredisDriver({ ...connectionFromEnv(env), ...tuning })
}
