import { InvalidOptionsError } from '@cachette/core'
import type { Redis } from '@upstash/redis'
import { z } from 'zod'

/** Options every form of {@link upstashDriver} takes. */
export interface UpstashCommonOptions {
  /**
   * SCAN COUNT hint per round trip when `scan()` is given none. Each round trip is one HTTP
   * request, so this is larger than a TCP driver's.
   * @default 500
   * @example
   * ```ts
   * upstashDriver({ url, token, scanCount: 1000 }) // fewer HTTP requests per deletePattern
   * ```
   */
  readonly scanCount?: number
  /**
   * How long `subscribe()` waits for the server to confirm the subscription, in milliseconds.
   * @default 10000
   * @example
   * ```ts
   * upstashDriver({ url, token, subscribeTimeoutMs: 30_000 })
   * ```
   */
  readonly subscribeTimeoutMs?: number
}

/** Connect with the database's REST URL and token; the driver creates (and owns) the client. */
export interface UpstashConnectionOptions extends UpstashCommonOptions {
  /**
   * The REST URL, `UPSTASH_REDIS_REST_URL` (`https://<name>.upstash.io`).
   * @example
   * ```ts
   * upstashDriver({ url: 'https://eu1-example.upstash.io', token: upstashToken })
   * ```
   */
  readonly url: string
  /**
   * The REST token, `UPSTASH_REDIS_REST_TOKEN`. Never appears in an error message.
   * @example
   * ```ts
   * upstashDriver({ url: 'https://eu1-example.upstash.io', token: upstashToken })
   * ```
   */
  readonly token: string
  /**
   * Deadline of one command, retries included, in milliseconds. A command past it rejects with
   * `DeadlineExceededError` and is not retried (it may still have run on the server).
   * @default 5000
   * @example
   * ```ts
   * upstashDriver({ url, token, timeoutMs: 2_000 })
   * ```
   */
  readonly timeoutMs?: number
  /**
   * Retries after a network failure (never after an HTTP answer, never after the deadline).
   * A retried write may have run once already: INCRBY is not idempotent.
   * @default 1
   * @example
   * ```ts
   * upstashDriver({ url, token, retries: 0 }) // never send a write twice
   * ```
   */
  readonly retries?: number
  /**
   * How the server encodes strings in its JSON answers. `'base64'` (the client's default, what
   * Upstash recommends) survives any byte on the wire, but the client decodes it with a
   * BOM-stripping `TextDecoder`, so a value that starts with U+FEFF loses it. `'json'` keeps a
   * leading U+FEFF. Either way bytes that are not UTF-8 come back as U+FFFD.
   * @default 'base64'
   * @example
   * ```ts
   * upstashDriver({ url, token, responseEncoding: 'json' }) // values may start with U+FEFF
   * ```
   */
  readonly responseEncoding?: 'base64' | 'json'
}

/** Use an existing `@upstash/redis` client; the driver never closes or reconfigures it. */
export interface UpstashClientOptions extends UpstashCommonOptions {
  /**
   * A client created with `automaticDeserialization: false` (else `"123"` would come back as
   * the number 123, and the driver refuses it).
   * @example
   * ```ts
   * const client = new Redis({ url, token, automaticDeserialization: false }) // import { Redis } from '@upstash/redis'
   * upstashDriver({ client })
   * ```
   */
  readonly client: Redis
}

/** Options of {@link upstashDriver}: `{ url, token }` or `{ client }`. */
export type UpstashDriverOptions = UpstashConnectionOptions | UpstashClientOptions

/** Environment variables as `process.env` holds them. */
export type UpstashEnv = Readonly<Record<string, string | undefined>>

/** The options after validation, defaults applied. */
export type ResolvedUpstashOptions =
  | { readonly kind: 'connection'; readonly url: string; readonly token: string; readonly timeoutMs: number; readonly retries: number; readonly responseEncoding: 'base64' | 'json'; readonly scanCount: number; readonly subscribeTimeoutMs: number }
  | { readonly kind: 'client'; readonly client: Redis; readonly scanCount: number; readonly subscribeTimeoutMs: number }

const PREFIX = '[@cachette/upstash]'
const REST_URL = /^https?:\/\/[^\s/?#]+/

const common = {
  scanCount: z.number().int().min(1).max(100_000).default(500),
  subscribeTimeoutMs: z.number().int().min(1).default(10_000),
}

const connectionSchema = z
  .object({
    url: z
      .string({ message: 'must be a string (the REST URL, https://<name>.upstash.io)' })
      .regex(REST_URL, { message: 'must be an http(s) URL such as https://<name>.upstash.io' }),
    token: z.string({ message: 'must be a string (the REST token)' }).min(1, { message: 'must not be empty' }),
    timeoutMs: z.number().int().min(1).default(5_000),
    retries: z.number().int().min(0).max(10).default(1),
    responseEncoding: z.enum(['base64', 'json']).default('base64'),
    ...common,
  })
  .strict()

function isUpstashClient(value: unknown): value is Redis {
  if (typeof value !== 'object' || value === null) return false
  const client = value as Record<string, unknown>
  return ['exec', 'pipeline', 'multi', 'subscribe'].every((method) => typeof client[method] === 'function')
}

const clientSchema = z
  .object({
    client: z
      .custom<Redis>(isUpstashClient, { message: 'must be an @upstash/redis Redis instance' })
      // `opts` is protected in the client's types but is where it keeps its own options.
      .refine((client) => (client as unknown as { opts?: { automaticDeserialization?: boolean } }).opts?.automaticDeserialization === false, {
        message: 'must be created with automaticDeserialization: false, else "123" would come back as the number 123',
      }),
    ...common,
  })
  .strict()

function fail(context: string, error: z.ZodError): never {
  const problems = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'options'}: ${issue.message}`)
  throw new InvalidOptionsError(`${PREFIX} ${context} are invalid: ${problems.join('; ')}`, { cause: error })
}

/** Validates the options once, at the factory; a failure lists every bad field and why. */
export function resolveUpstashOptions(options: UpstashDriverOptions): ResolvedUpstashOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`${PREFIX} upstashDriver options are invalid: give { url, token } or { client }`)
  }
  if ('client' in options) {
    const result = clientSchema.safeParse(options)
    if (!result.success) fail('upstashDriver options', result.error)
    return { kind: 'client', ...result.data }
  }
  const result = connectionSchema.safeParse(options)
  if (!result.success) fail('upstashDriver options', result.error)
  return { kind: 'connection', ...result.data }
}

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
