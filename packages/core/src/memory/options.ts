import * as z from 'zod'
import type { Clock } from '../clock.js'
import { InvalidOptionsError } from '../errors.js'

/**
 * Options of {@link memoryDriver}.
 *
 * @example
 * ```ts
 * const driver = memoryDriver({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 })
 * ```
 */
export interface MemoryDriverOptions {
  /**
   * Most keys held at once. Past it, the least recently used keys are evicted, as Redis
   * `maxmemory-policy allkeys-lru` does (every read or write of a key makes it recent; EXISTS,
   * PTTL and SCAN do not).
   *
   * @default unbounded
   * @example
   * ```ts
   * memoryDriver({ maxEntries: 10_000 })
   * ```
   */
  readonly maxEntries?: number
  /**
   * Most bytes held at once, estimated as the UTF-8 length of each key plus its value (string
   * bytes; hash fields and values; set members; sorted-set members plus 8 bytes per score).
   * Past it, least recently used keys are evicted. An entry larger than `maxBytes` on its own
   * is evicted right after it is written (the write still resolves as done) and no other key is
   * evicted for it, so the bound always holds.
   *
   * @default unbounded
   * @example
   * ```ts
   * memoryDriver({ maxBytes: 64 * 1024 * 1024 }) // 64 MiB
   * ```
   */
  readonly maxBytes?: number
  /**
   * Where the driver reads the time for TTLs. With the default wall clock an unref'd timer also
   * frees expired keys in the background; with any other clock (a fake clock in tests) the
   * driver starts no timer at all and expires keys lazily, when they are next touched.
   *
   * @default systemClock
   * @example
   * ```ts
   * import { createFakeClock } from '@cachette/testing'
   * const clock = createFakeClock()
   * const driver = memoryDriver({ clock })
   * clock.advance(60_000)
   * ```
   */
  readonly clock?: Clock
}

const clockSchema = z.custom<Clock>((value) => typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function', {
  message: 'must be an object with a now() method returning milliseconds',
})

const optionsSchema = z
  .object({
    maxEntries: z.number().int().positive().optional(),
    maxBytes: z.number().int().positive().optional(),
    clock: clockSchema.optional(),
  })
  .strict()

/** Validates the options once, at the factory; a failure lists every bad field. */
export function parseMemoryDriverOptions(options: MemoryDriverOptions | undefined): MemoryDriverOptions {
  const result = optionsSchema.safeParse(options ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'options'}: ${issue.message}`)
  throw new InvalidOptionsError(`[@cachette/core] memoryDriver options are invalid: ${problems.join('; ')}`, { cause: result.error })
}
