import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * The environment this service reads. The Redis connection (`REDIS_URL`) is checked here and by
 * `ioredisDriver`; an invalid variable fails startup naming the variable, never its value.
 */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8004),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.string().url().optional(),
  // The durable outbox (a journal file) used while Redis is down; one process per file.
  OUTBOX_PATH: z.string().min(1).optional(),
  // How often the outbox is flushed once the store answers its health check again.
  OUTBOX_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
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
    // Names the variables, not their values (a REDIS_URL carries a password).
    throw new Error(`invalid environment: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  return parsed.data
}

/**
 * The outbox journal: `OUTBOX_PATH`, else a file under the OS temp dir named after the port, so
 * two instances on one machine never share one (nothing locks the file).
 *
 * @example
 * ```ts
 * outboxPath(configFromEnv({ PORT: '8004' })) // '/tmp/cachette-messaging-api-8004.outbox'
 * ```
 */
export function outboxPath(config: AppConfig): string {
  return config.OUTBOX_PATH ?? join(tmpdir(), `cachette-messaging-api-${config.PORT}.outbox`)
}
