import { z } from 'zod'

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  REDIS_URL: z.string().url().optional(),
  REDIS_HOST: z.string().min(1).optional(),
  ETABLISSEMENT_ID: z.guid().default('880e8400-e29b-41d4-a716-446655440004'),
  PATIENT_CACHE_STORAGE: z.enum(['hash', 'json']).default('hash'),
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
    // Names the variables, not their values (a DATABASE_URL holds a password).
    throw new Error(`invalid environment: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  return parsed.data
}
