import * as z from 'zod'
import { InvalidOptionsError } from '../errors.js'

/** Environment variables as `process.env` holds them. */
export type CacheEnv = Readonly<Record<string, string | undefined>>

/** What {@link cacheConfigFromEnv} found; fields are absent when their variable is unset. */
export interface CacheEnvConfig {
  /** `CACHE_ENABLED`. `false` is a kill switch that wins over code. */
  readonly enabled?: boolean
  /** `CACHE_TTL_DEFAULT`, converted from seconds to milliseconds. */
  readonly ttlMs?: number
  /** `CACHE_TTL_<NAME>` for every other name, lower-cased (`stats_dashboard`), in milliseconds. */
  readonly ttlsMs: Readonly<Record<string, number>>
}

const TTL_VARIABLE = /^CACHE_TTL_([A-Za-z][A-Za-z0-9_]*)$/
const ENABLED_VALUES: Readonly<Record<string, boolean>> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false }

const enabledSchema = z
  .string()
  .transform((text) => text.trim().toLowerCase())
  .refine((text) => text in ENABLED_VALUES, { message: 'expected true or false (also accepted: 1/0, yes/no, on/off)' })
  .transform((text) => ENABLED_VALUES[text] as boolean)

const secondsSchema = z
  .string()
  .transform((text) => text.trim())
  .refine((text) => /^\d+$/.test(text), { message: "expected a whole number of seconds, such as 300 (units such as '5m' are for code, not env)" })
  .transform(Number)
  .refine((seconds) => seconds >= 1, { message: 'must be at least 1 second (every cache entry expires)' })
  .refine((seconds) => seconds <= 100 * 365 * 86_400, { message: 'is unreasonably large' })

function quoted(text: string | undefined): string {
  if (text === undefined) return ''
  return ` (got "${text.length > 32 ? `${text.slice(0, 32)}…` : text}")`
}

/**
 * Reads the cache settings the seed services use from environment variables, validated:
 * `CACHE_ENABLED` (`true`/`false`), `CACHE_TTL_DEFAULT` and `CACHE_TTL_<NAME>` in **seconds**
 * (as the seeds write them). Empty variables count as unset; other variables are ignored.
 * `createCache()` calls it on its `env` option; call it yourself to check a deployment early.
 *
 * @param env the variables to read. Default: `globalThis.process?.env` (none on edge runtimes).
 * @throws InvalidOptionsError listing every invalid variable and why.
 * @example
 * ```ts
 * cacheConfigFromEnv({ CACHE_ENABLED: 'false', CACHE_TTL_DEFAULT: '300', CACHE_TTL_PATIENT: '600' })
 * // { enabled: false, ttlMs: 300000, ttlsMs: { patient: 600000 } }
 * ```
 */
export function cacheConfigFromEnv(env: CacheEnv = globalThis.process?.env ?? {}): CacheEnvConfig {
  const shape: Record<string, z.ZodType> = {}
  const input: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue
    if (name === 'CACHE_ENABLED') shape[name] = enabledSchema
    else if (TTL_VARIABLE.test(name)) shape[name] = secondsSchema
    else continue
    input[name] = value
  }
  const result = z.object(shape).safeParse(input)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment')
      return `${variable}: ${issue.message}${quoted(input[variable])}`
    })
    throw new InvalidOptionsError(`[@cachette/core] invalid cache configuration in the environment: ${problems.join('; ')}`, { cause: result.error })
  }
  const data = result.data as Record<string, boolean | number>
  const ttlsMs: Record<string, number> = {}
  let ttlMs: number | undefined
  for (const [name, value] of Object.entries(data)) {
    const match = TTL_VARIABLE.exec(name)
    if (match === null) continue
    const policy = (match[1] as string).toLowerCase()
    if (policy === 'default') ttlMs = (value as number) * 1_000
    else ttlsMs[policy] = (value as number) * 1_000
  }
  return {
    ...(data.CACHE_ENABLED === undefined ? {} : { enabled: data.CACHE_ENABLED as boolean }),
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ttlsMs,
  }
}
