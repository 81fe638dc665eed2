/**
 * Where Cachette reads the time. The memory driver and TTL logic take a Clock so tests can use
 * `createFakeClock()` from `@cachette/testing` instead of sleeping.
 */
export interface Clock {
  /**
   * Milliseconds since the epoch, like `Date.now()`.
   *
   * @example
   * ```ts
   * const expiresAtMs = clock.now() + 600_000 // in 10 minutes
   * ```
   */
  now(): number
}

/**
 * The wall clock.
 *
 * @example
 * ```ts
 * memoryDriver({ clock: systemClock })
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() }
