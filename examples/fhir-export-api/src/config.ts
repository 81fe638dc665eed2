import { z } from 'zod'

/**
 * The environment this service reads itself. The Redis connection (`REDIS_URL`, or seed 002's
 * `REDIS_HOST` / `REDIS_PORT` / `REDIS_DB` / `REDIS_PASSWORD`) is read and checked by
 * `ioredisDriverFromEnv`, `CACHE_ENABLED` by the cache, `CACHE_TTL` and `CACHE_TTL_FHIR_<TYPE>`
 * by `@cachette/fhir-export`: each fails startup naming the variable, never its value.
 */
const ConfigSchema = z.object({
  // The seed's service answers on 8000 (its curl calls): the same here.
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  REDIS_URL: z.string().url().optional(),
  REDIS_HOST: z.string().min(1).optional(),
  // The admin API's bearer token (what @cachette/admin accepts: 16+ characters a header carries
  // unchanged). Unset: the admin routes answer 503, they are never open.
  CACHE_ADMIN_TOKEN: z
    .string()
    .min(16, 'expected at least 16 characters')
    .max(4096)
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'expected letters, digits and -._~+/ (then = padding)')
    .optional(),
  // The base of fullUrl and identifier systems; http://HOST:PORT/fhir when unset.
  FHIR_BASE_URL: z.string().url().optional(),
  DEMO_DATA: z.enum(['true', 'false']).default('true'),
})

/** The service's settings, from the environment. */
export type AppConfig = z.output<typeof ConfigSchema>

/**
 * Reads and validates the environment (empty variables count as unset).
 *
 * @example
 * ```ts
 * const config = configFromEnv(process.env)
 * ```
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = ConfigSchema.safeParse(defined)
  if (!parsed.success) {
    // Names the variables, not their values (a DATABASE_URL or a token is a secret).
    throw new Error(`invalid environment: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  return parsed.data
}

/**
 * Whether the cache goes to Redis (`REDIS_URL` or `REDIS_HOST` set) rather than memory.
 *
 * @example
 * ```ts
 * const driver = usesRedis(config) ? ioredisDriverFromEnv(process.env) : memoryDriver()
 * ```
 */
export function usesRedis(config: AppConfig): boolean {
  return config.REDIS_URL !== undefined || config.REDIS_HOST !== undefined
}

/**
 * The FHIR base URL: `FHIR_BASE_URL`, else this service's own address.
 *
 * @example
 * ```ts
 * fhirBaseUrl(configFromEnv({})) // 'http://127.0.0.1:8000/fhir'
 * ```
 */
export function fhirBaseUrl(config: AppConfig): string {
  return (config.FHIR_BASE_URL ?? `http://${config.HOST}:${config.PORT}/fhir`).replace(/\/+$/, '')
}
