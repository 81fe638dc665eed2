import { InvalidOptionsError } from '@cachette/core'
import * as z from 'zod'
import type { IoredisDriverOptions } from './options.js'
import { invalidOptions } from './resolve-options.js'
import { splitRedisUrl } from '@cachette/core/redis'

/**
 * Reads the connection from environment variables, as the seeds' `.env` files write them:
 * `REDIS_URL`, or `REDIS_HOST` / `REDIS_PORT` / `REDIS_DB` / `REDIS_USERNAME` / `REDIS_PASSWORD`
 * / `REDIS_TLS`. An empty variable counts as unset (dotenv turns `REDIS_PASSWORD=` into '').
 */

const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value)
const intFrom = (min: number, max: number) =>
  z.preprocess(
    emptyIsUnset,
    z
      .string()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  )
const text = z.preprocess(emptyIsUnset, z.string().optional())

const envSchema = z.object({
  REDIS_URL: z.preprocess(emptyIsUnset, z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL').optional()),
  REDIS_HOST: text,
  REDIS_PORT: intFrom(1, 65535),
  REDIS_DB: intFrom(0, 1_000_000),
  REDIS_USERNAME: text,
  REDIS_PASSWORD: text,
  REDIS_TLS: z.preprocess(
    emptyIsUnset,
    z
      .enum(['true', 'false', '1', '0'], { message: "expected 'true' or 'false'" })
      .transform((value) => value === 'true' || value === '1')
      .optional(),
  ),
})

/** Where `ioredisDriverFromEnv()` reads its variables (`process.env` by default). */
export type RedisEnv = Readonly<Record<string, string | undefined>>

/**
 * Connection options from the environment. `REDIS_URL` wins; otherwise `REDIS_HOST` is required.
 * Throws `InvalidOptionsError` naming the variable (never its value) when one is malformed.
 */
export function connectionFromEnv(env: RedisEnv): IoredisDriverOptions {
  const result = envSchema.safeParse(env)
  if (!result.success) throw invalidOptions('invalid environment', result.error)
  const vars = result.data
  const auth = {
    ...(vars.REDIS_USERNAME === undefined ? {} : { username: vars.REDIS_USERNAME }),
    ...(vars.REDIS_PASSWORD === undefined ? {} : { password: vars.REDIS_PASSWORD }),
    ...(vars.REDIS_TLS === undefined ? {} : { tls: vars.REDIS_TLS }),
  }
  if (vars.REDIS_URL !== undefined) {
    // The URL carries host, port, db and credentials; the other variables fill what it leaves out,
    // and one set in both places is refused here, naming the variables.
    splitRedisUrl(vars.REDIS_URL, {
      username: vars.REDIS_USERNAME,
      password: vars.REDIS_PASSWORD,
      db: vars.REDIS_DB,
      names: { url: 'REDIS_URL', username: 'REDIS_USERNAME', password: 'REDIS_PASSWORD', db: 'REDIS_DB' },
      context: 'invalid environment',
      packageName: '@cachette/ioredis',
    })
    return { url: vars.REDIS_URL, ...auth, ...(vars.REDIS_DB === undefined ? {} : { redisOptions: { db: vars.REDIS_DB } }) }
  }
  if (vars.REDIS_HOST === undefined) {
    throw new InvalidOptionsError('[@cachette/ioredis] invalid environment: set REDIS_URL, or REDIS_HOST (with optional REDIS_PORT, REDIS_DB, REDIS_PASSWORD)')
  }
  return {
    host: vars.REDIS_HOST,
    ...(vars.REDIS_PORT === undefined ? {} : { port: vars.REDIS_PORT }),
    ...(vars.REDIS_DB === undefined ? {} : { db: vars.REDIS_DB }),
    ...auth,
  }
}
