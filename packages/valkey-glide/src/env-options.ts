import { InvalidOptionsError } from '@cachette/core'
import * as z from 'zod'
import { DRIVER_NAME } from './driver-errors.js'
import type { GlideConnectionOptions } from './options.js'
import { invalidOptions } from './resolve-options.js'

/**
 * Reads the connection from environment variables, as the seeds' `.env` files write them (the
 * same variables as `@cachette/ioredis`): `REDIS_URL`, or `REDIS_HOST` / `REDIS_PORT` /
 * `REDIS_DB` / `REDIS_USERNAME` / `REDIS_PASSWORD` / `REDIS_TLS`; `REDIS_CLUSTER=true` selects
 * GLIDE's cluster client. An empty variable counts as unset (dotenv turns `REDIS_PASSWORD=` into
 * '').
 */

const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value)
const intFrom = (min: number, max: number) =>
  z.preprocess(emptyIsUnset, z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max)).optional())
const text = z.preprocess(emptyIsUnset, z.string().optional())
const flag = z.preprocess(
  emptyIsUnset,
  z
    .enum(['true', 'false', '1', '0'], { message: "expected 'true' or 'false'" })
    .transform((value) => value === 'true' || value === '1')
    .optional(),
)

const envSchema = z.object({
  REDIS_URL: z.preprocess(emptyIsUnset, z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL').optional()),
  REDIS_HOST: text,
  REDIS_PORT: intFrom(1, 65535),
  REDIS_DB: intFrom(0, 1_000_000),
  REDIS_USERNAME: text,
  REDIS_PASSWORD: text,
  REDIS_TLS: flag,
  REDIS_CLUSTER: flag,
})

/** Where `glideDriverFromEnv()` reads its variables (`process.env` by default). */
export type RedisEnv = Readonly<Record<string, string | undefined>>

function invalid(detail: string): InvalidOptionsError {
  return new InvalidOptionsError(`[${DRIVER_NAME}] invalid environment: ${detail}`)
}

/** Host, port, credentials and db of a redis:// URL; a field also set in its own variable is refused. */
function fromUrl(url: string, vars: z.infer<typeof envSchema>): Pick<GlideConnectionOptions, 'addresses' | 'credentials' | 'databaseId' | 'useTLS'> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid('REDIS_URL: not a valid URL')
  }
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username)
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password)
  const path = parsed.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,7}$/.test(path)) throw invalid('REDIS_URL: the path must be a database number (redis://host:6379/2)')
  const db = path === '' ? undefined : Number(path)
  for (const [field, inUrl, given, name] of [
    ['username', username, vars.REDIS_USERNAME, 'REDIS_USERNAME'],
    ['password', password, vars.REDIS_PASSWORD, 'REDIS_PASSWORD'],
    ['db', db, vars.REDIS_DB, 'REDIS_DB'],
  ] as const) {
    if (inUrl !== undefined && given !== undefined) throw invalid(`the ${field} is set both in REDIS_URL and in ${name}: set it in one place`)
  }
  const user = username ?? vars.REDIS_USERNAME
  const secret = password ?? vars.REDIS_PASSWORD
  const databaseId = db ?? vars.REDIS_DB
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw invalid('REDIS_URL: no host')
  return {
    addresses: [{ host, port: parsed.port === '' ? 6379 : Number(parsed.port) }],
    ...(secret === undefined ? {} : { credentials: { password: secret, ...(user === undefined ? {} : { username: user }) } }),
    ...(databaseId === undefined ? {} : { databaseId }),
    ...(parsed.protocol === 'rediss:' || vars.REDIS_TLS === true ? { useTLS: true } : {}),
  }
}

/**
 * Connection options from the environment. `REDIS_URL` wins; otherwise `REDIS_HOST` is required.
 * Throws `InvalidOptionsError` naming the variable (never its value) when one is malformed.
 */
export function connectionFromEnv(env: RedisEnv): GlideConnectionOptions {
  const result = envSchema.safeParse(env)
  if (!result.success) throw invalidOptions('invalid environment', result.error)
  const vars = result.data
  const cluster = vars.REDIS_CLUSTER === true ? { clusterMode: true } : {}
  if (vars.REDIS_URL !== undefined) return { ...fromUrl(vars.REDIS_URL, vars), ...cluster }
  if (vars.REDIS_HOST === undefined) {
    throw invalid('set REDIS_URL, or REDIS_HOST (with optional REDIS_PORT, REDIS_DB, REDIS_PASSWORD)')
  }
  return {
    addresses: [{ host: vars.REDIS_HOST, port: vars.REDIS_PORT ?? 6379 }],
    ...(vars.REDIS_PASSWORD === undefined
      ? {}
      : { credentials: { password: vars.REDIS_PASSWORD, ...(vars.REDIS_USERNAME === undefined ? {} : { username: vars.REDIS_USERNAME }) } }),
    ...(vars.REDIS_DB === undefined ? {} : { databaseId: vars.REDIS_DB }),
    ...(vars.REDIS_TLS === true ? { useTLS: true } : {}),
    ...cluster,
  }
}
