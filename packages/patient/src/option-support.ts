import { InvalidOptionsError, cacheConfigFromEnv, isCacheError, parseDuration, type CacheEnv, type Duration } from '@cachette/core'
import * as z from 'zod'

/** A zod check that a value is an object with these methods (a Driver, a Cache, a Meter...). */
export function objectWith(methods: readonly string[], message: string) {
  return z.custom<unknown>(
    (value) => typeof value === 'object' && value !== null && methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { message },
  )
}

/** A duration: milliseconds, or `'10s'`, `'5m'`, `'1h'`... (range checked by {@link durationMs}). */
export const durationSchema = z.union([z.number(), z.string()])

/**
 * `env` option: variables to read, or `false` to read none. Checked loosely: `process.env` is not a
 * plain object (its prototype is not Object.prototype), and a strict record check would refuse it.
 */
export const envSchema = z.custom<false | Readonly<Record<string, string | undefined>>>((value) => value === false || (typeof value === 'object' && value !== null), {
  message: 'expected an object of environment variables, or false',
})

/** Throws the one readable error every factory of this package throws for bad options. */
export function failOptions(where: string, problems: readonly string[], cause?: unknown): never {
  throw new InvalidOptionsError(`[@cachette/patient] ${where} options are invalid: ${problems.join('; ')}`, cause === undefined ? undefined : { cause })
}

/** Validates options with zod; a ZodError becomes an InvalidOptionsError listing each problem. */
export function parseOptions<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    failOptions(
      where,
      parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'options'}: ${issue.message}`),
      parsed.error,
    )
  }
  return parsed.data
}

/** A duration option in ms, its error turned into a readable option problem. */
export function durationMs(where: string, name: string, duration: Duration): number {
  try {
    return parseDuration(duration)
  } catch (error) {
    return failOptions(where, [`${name}: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'invalid duration'}`], error)
  }
}

/**
 * The TTL of one record family: `CACHE_TTL_<NAME>` (seconds, as the seeds write it) wins over the
 * code's `ttl`, which wins over the seed's default. The environment wins so that operators can tune
 * a running service without a release, as `@cachette/core` does for its own policies.
 */
export function resolveTtlMs(where: string, policy: string, ttl: Duration | undefined, fallback: Duration, env: CacheEnv | false | undefined): number {
  const variables = env === false ? {} : (env ?? globalThis.process?.env ?? {})
  const variable = `CACHE_TTL_${policy.toUpperCase()}`
  const raw = variables[variable]
  if (raw !== undefined && raw !== '') {
    try {
      const fromEnv = cacheConfigFromEnv({ [variable]: raw }).ttlsMs[policy]
      if (fromEnv !== undefined) return fromEnv
    } catch (error) {
      failOptions(where, [isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : `${variable}: invalid`], error)
    }
  }
  return durationMs(where, 'ttl', ttl ?? fallback)
}
