import { z } from 'zod'

/**
 * The development default of `PATIENT_LOCK_SECRET`. It is in this public repository, so it hides
 * nothing: anyone can recompute a fingerprint with it. Production sets its own (the app warns at
 * startup when `NODE_ENV=production` runs with this one).
 */
export const DEV_PATIENT_LOCK_SECRET = 'dev-only-patient-lock-secret-change-me'

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
  // HMAC key of the identity fingerprint (lock keys and cle_doublon): without one, anyone who can
  // list Redis keys or read the column can confirm a guessed name + birth date. Keep it stable: the
  // stored cle_doublon values are computed with it.
  PATIENT_LOCK_SECRET: z.string().min(16, 'expected at least 16 characters').default(DEV_PATIENT_LOCK_SECRET),
  NODE_ENV: z.string().optional(),
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

/**
 * What is unsafe in this configuration, as log lines (names settings, never their values).
 *
 * @example
 * ```ts
 * for (const warning of configWarnings(config)) app.log.warn(warning)
 * ```
 */
export function configWarnings(config: AppConfig): string[] {
  const warnings: string[] = []
  if (config.NODE_ENV === 'production' && config.PATIENT_LOCK_SECRET === DEV_PATIENT_LOCK_SECRET) {
    warnings.push('PATIENT_LOCK_SECRET is the development default: set a secret of your own, or identity fingerprints (lock keys, cle_doublon) can be recomputed from a guessed name and birth date')
  }
  return warnings
}
