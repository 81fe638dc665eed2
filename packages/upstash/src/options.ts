import type { Redis } from '@upstash/redis'

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
