import type { Clock } from '../../src/index.js'

/** A tiny controllable clock (the same shape as createFakeClock() from @cachette/testing). */
export function fakeClock(startMs = Date.UTC(2025, 0, 1)): Clock & { advance(ms: number): void } {
  let current = startMs
  return {
    now: () => current,
    advance(ms) {
      current += ms
    },
  }
}
