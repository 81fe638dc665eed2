import { InvalidOptionsError, type Clock } from '@cachette/core'

/** A clock that only moves when told to. Implements core's `Clock`. */
export interface FakeClock extends Clock {
  /**
   * The current fake time, in milliseconds since the epoch.
   *
   * @example
   * ```ts
   * const clock = createFakeClock(Date.UTC(2025, 0, 1))
   * clock.now() // 1735689600000, until advance() or set()
   * ```
   */
  now(): number
  /**
   * Moves the time forward by `ms` (a finite number >= 0) and returns the new time.
   *
   * @example
   * ```ts
   * const driver = memoryDriver({ clock })
   * await driver.set('k', 'v', { ttlMs: 1_000 })
   * clock.advance(1_000) // the entry has now expired
   * ```
   */
  advance(ms: number): number
  /**
   * Jumps to `ms` since the epoch (backwards too, to test clock skew).
   *
   * @example
   * ```ts
   * clock.set(clock.now() - 5_000) // another host's clock, 5 s behind
   * ```
   */
  set(ms: number): void
}

/**
 * A manual clock for tests: TTLs expire when the test says so, without sleeping.
 *
 * @param startMs - the initial time, in milliseconds since the epoch.
 * @default startMs `Date.UTC(2025, 0, 1)`
 * @example
 * ```ts
 * import { memoryDriver } from '@cachette/core'
 * import { createFakeClock } from '@cachette/testing'
 *
 * const clock = createFakeClock()
 * const driver = memoryDriver({ clock })
 * await driver.set('k', 'v', { ttlMs: 1_000 })
 * clock.advance(1_001)
 * await driver.get('k') // null
 * ```
 */
export function createFakeClock(startMs: number = Date.UTC(2025, 0, 1)): FakeClock {
  assertFinite('startMs', startMs)
  let current = startMs
  return {
    now: () => current,
    advance(ms: number): number {
      if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptionsError('[@cachette/testing] advance(ms) needs a finite number >= 0')
      current += ms
      return current
    },
    set(ms: number): void {
      assertFinite('set(ms)', ms)
      current = ms
    },
  }
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidOptionsError(`[@cachette/testing] ${name} must be a finite number of milliseconds`)
}
