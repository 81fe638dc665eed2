import { InvalidOptionsError, isCacheError, parseDuration, type Cache, type Duration } from '@cachette/core'
import * as z from 'zod'
import type { MessagingOutbox } from './outbox-port.js'

/** Options of {@link createMessaging}. */
export interface MessagingOptions {
  /**
   * The cache whose driver holds the messages: its deadline, circuit breaker, logger and meter
   * serve every store call. Its driver needs hashes, sets, sorted sets, pub/sub and batches (the
   * memory, ioredis and Upstash drivers have them).
   *
   * @example
   * ```ts
   * createMessaging({ cache: createCache({ driver: ioredisDriver({ url }) }) })
   * ```
   */
  readonly cache: Cache
  /**
   * The first segment of every key and channel.
   *
   * @default 'messaging' (the seed's layout)
   * @example
   * ```ts
   * createMessaging({ cache, namespace: 'messaging_staging' })
   * ```
   */
  readonly namespace?: string
  /**
   * How long a message (and its conversation's index) lives after the last send.
   *
   * @default '30d' (seed 004)
   * @example
   * ```ts
   * createMessaging({ cache, messageTtl: '90d' })
   * ```
   */
  readonly messageTtl?: Duration
  /**
   * How long a notification and a user's notification history live.
   *
   * @default '7d' (seed 004)
   * @example
   * ```ts
   * createMessaging({ cache, notificationTtl: '1d' })
   * ```
   */
  readonly notificationTtl?: Duration
  /**
   * How long a user stays online after a heartbeat: a client that crashes goes offline by itself.
   * Send a heartbeat every third of it.
   *
   * @default '60s'
   * @example
   * ```ts
   * createMessaging({ cache, presenceTtl: '30s' }) // heartbeat every 10 s
   * ```
   */
  readonly presenceTtl?: Duration
  /**
   * Where a message goes when the store cannot take it: the send resolves `{ status: 'queued' }`
   * and `flushOutbox()` replays it. Without one, such a send rejects with a MessagingError
   * `STORE_UNAVAILABLE`.
   *
   * @default none
   * @example
   * ```ts
   * createMessaging({ cache, outbox: myDurableOutbox })
   * ```
   */
  readonly outbox?: MessagingOutbox
  /**
   * The `key_prefix` label of the package's metrics and log lines.
   *
   * @default 'messaging'
   * @example
   * ```ts
   * createMessaging({ cache, label: 'messaging_eu' })
   * ```
   */
  readonly label?: string
  /**
   * The secret of the search index: with it, the index's key names are HMAC-SHA-256 of the folded
   * words instead of the words (a dump of the store shows no name). At least 32 characters
   * (e.g. 32 random bytes in base64), the same on every instance; changing it empties the index
   * until each profile is stored again. When the cache has encryption at rest and no secret is
   * given, search is off: no index is written and `searchUsers` rejects with `SEARCH_DISABLED`.
   *
   * @default none (words as they are without encryption; search off with encryption)
   * @example
   * ```ts
   * createMessaging({ cache, searchSecret: process.env.MESSAGING_SEARCH_SECRET })
   * ```
   */
  readonly searchSecret?: string
}

/** The options after validation. */
export interface ResolvedMessagingOptions {
  readonly cache: Cache
  readonly namespace: string
  readonly label: string
  readonly messageTtlMs: number
  readonly notificationTtlMs: number
  readonly presenceTtlMs: number
  readonly outbox: MessagingOutbox | undefined
  readonly searchSecret: string | undefined
}

const duration = z.union([z.number(), z.string()], { error: "expected a duration (ms, or a string such as '10s', '5m', '30d')" })
const hasMethods = (names: readonly string[]) => (value: unknown) =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')

const optionsSchema = z.strictObject({
  cache: z.custom<Cache>(hasMethods(['getOrSet', 'stats']), { message: 'expected a Cache from createCache()' }),
  namespace: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1 to 64 letters, digits, '_', '.' or '-'").optional(),
  messageTtl: duration.optional(),
  notificationTtl: duration.optional(),
  presenceTtl: duration.optional(),
  outbox: z
    .custom<MessagingOutbox>((value) => hasMethods(['append', 'replay'])(value) && typeof (value as { depth?: unknown }).depth === 'number', {
      message: 'expected an outbox: append(entry), replay(apply) and depth',
    })
    .optional(),
  label: z.string().regex(/^[\w.:-]{1,100}$/, "1 to 100 letters, digits, '_', '.', ':' or '-'").optional(),
  searchSecret: z.string().min(32, 'expected a secret of at least 32 characters').optional(),
})

/**
 * Throws the package's one error for bad options or input, each problem listed (paths and reasons, never values).
 *
 * @example
 * ```ts
 * refuse('sendMessage', ['content: expected a non-empty string'])
 * ```
 */
export function refuse(where: string, problems: readonly string[], cause?: unknown): never {
  throw new InvalidOptionsError(`[@cachette/messaging] ${where}: invalid input: ${problems.join('; ')}`, cause === undefined ? undefined : { cause })
}

/**
 * Validates with zod; a ZodError becomes an InvalidOptionsError listing each problem's path and reason.
 *
 * @example
 * ```ts
 * const input = parseInput(sendSchema, raw, 'sendMessage')
 * ```
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    refuse(
      where,
      parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`),
      parsed.error,
    )
  }
  return parsed.data
}

function durationMs(name: string, value: unknown, fallback: Duration): number {
  try {
    return parseDuration((value ?? fallback) as Duration)
  } catch (error) {
    return refuse('createMessaging', [`${name}: ${isCacheError(error) ? 'invalid duration' : 'invalid'}`], error)
  }
}

/**
 * Checks the options once, where they enter.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ cache })
 * ```
 */
export function resolveOptions(options: MessagingOptions): ResolvedMessagingOptions {
  const given = parseInput(optionsSchema, options, 'createMessaging')
  return {
    cache: given.cache,
    namespace: given.namespace ?? 'messaging',
    label: given.label ?? 'messaging',
    messageTtlMs: durationMs('messageTtl', given.messageTtl, '30d'),
    notificationTtlMs: durationMs('notificationTtl', given.notificationTtl, '7d'),
    presenceTtlMs: durationMs('presenceTtl', given.presenceTtl, '60s'),
    outbox: given.outbox,
    searchSecret: given.searchSecret,
  }
}
