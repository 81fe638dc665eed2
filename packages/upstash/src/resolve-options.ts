import { InvalidOptionsError } from '@cachette/core'
import type { Redis } from '@upstash/redis'
import * as z from 'zod'
import type { UpstashDriverOptions } from './options.js'

/** The options after validation, defaults applied. */
export type ResolvedUpstashOptions =
  | { readonly kind: 'connection'; readonly url: string; readonly token: string; readonly timeoutMs: number; readonly retries: number; readonly responseEncoding: 'base64' | 'json'; readonly scanCount: number; readonly subscribeTimeoutMs: number }
  | { readonly kind: 'client'; readonly client: Redis; readonly scanCount: number; readonly subscribeTimeoutMs: number }

const PREFIX = '[@cachette/upstash]'

/** A REST URL as the options and `UPSTASH_REDIS_REST_URL` must give it. */
export const REST_URL = /^https?:\/\/[^\s/?#]+/

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
