import type { Driver } from '@cachette/core'
import { connectionFromEnv, type RedisEnv } from './env-options.js'
import { glideDriver } from './glide-driver.js'
import type { GlideDriverTuning } from './options.js'

/**
 * A GLIDE driver configured from environment variables, as `ioredisDriverFromEnv()` reads them:
 * `REDIS_URL` (`rediss://` for TLS), or `REDIS_HOST` with optional `REDIS_PORT`, `REDIS_DB`,
 * `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS=true`; plus `REDIS_CLUSTER=true` for a cluster.
 * Empty variables count as unset. A malformed variable throws `InvalidOptionsError` naming it,
 * never echoing its value.
 *
 * @param env - where to read the variables. @default process.env
 * @param tuning - deadline and other tuning, as for `glideDriver()`. @default {}
 *
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { glideDriverFromEnv } from '@cachette/valkey-glide'
 *
 * // REDIS_HOST=valkey.internal REDIS_PORT=6379 REDIS_PASSWORD=
 * const cache = createCache({ driver: glideDriverFromEnv(), prefix: 'fhir' })
 * ```
 */
export function glideDriverFromEnv(env: RedisEnv = process.env, tuning: GlideDriverTuning = {}): Driver {
  return glideDriver({ ...connectionFromEnv(env), ...tuning })
}
