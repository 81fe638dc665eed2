import { InvalidOptionsError } from '@cachette/core'
import { REST_URL } from './resolve-options.js'

/** Environment variables as `process.env` holds them. */
export type UpstashEnv = Readonly<Record<string, string | undefined>>

const PREFIX = '[@cachette/upstash]'

/**
 * Reads `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`. The only place the package
 * looks at `process`, and only as `globalThis.process?.env`, so edge runtimes (which have no
 * `process`) just pass `env` explicitly.
 */
export function connectionFromEnv(env: UpstashEnv | undefined): { url: string; token: string } {
  const source = env ?? globalThis.process?.env ?? {}
  const missing = ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'].filter((name) => {
    const value = source[name]
    return value === undefined || value.trim() === ''
  })
  if (missing.length > 0) {
    throw new InvalidOptionsError(
      `${PREFIX} ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: copy them from the REST API section of your Upstash database`,
    )
  }
  const url = (source.UPSTASH_REDIS_REST_URL as string).trim()
  if (!REST_URL.test(url)) {
    throw new InvalidOptionsError(`${PREFIX} UPSTASH_REDIS_REST_URL must be an http(s) URL such as https://<name>.upstash.io`)
  }
  return { url, token: (source.UPSTASH_REDIS_REST_TOKEN as string).trim() }
}
