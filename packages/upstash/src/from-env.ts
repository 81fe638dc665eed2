import type { Driver } from '@cachette/core'
import { connectionFromEnv, type UpstashEnv } from './env-options.js'
import type { UpstashConnectionOptions } from './options.js'
import { upstashDriver } from './upstash-driver.js'

/**
 * {@link upstashDriver} from `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`. Missing
 * or malformed variables throw an `InvalidOptionsError` that names them (never their values).
 *
 * @param env - the variables; default `globalThis.process?.env` (pass `env` on edge runtimes,
 *   e.g. a Cloudflare Worker's bindings).
 * @param options - the other connection options (timeout, retries...).
 * @example
 * ```ts
 * import { upstashDriverFromEnv } from '@cachette/upstash'
 *
 * // Node / Vercel: reads process.env
 * const driver = upstashDriverFromEnv()
 * // Cloudflare Workers: export default { fetch(request, env) { const driver = upstashDriverFromEnv(env) } }
 * ```
 */
export function upstashDriverFromEnv(env?: UpstashEnv, options: Omit<UpstashConnectionOptions, 'url' | 'token'> = {}): Driver {
  return upstashDriver({ ...options, ...connectionFromEnv(env) })
}
