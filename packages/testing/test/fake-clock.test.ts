import { describe, expect, it } from 'vitest'
import { isCacheError } from '@cachette/core'
import { createFakeClock } from '../src/index.js'

describe('createFakeClock', () => {
  it('starts at 2025-01-01T00:00:00Z by default and only moves when told', () => {
    const clock = createFakeClock()
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1))
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1))
    expect(clock.advance(1_500)).toBe(Date.UTC(2025, 0, 1) + 1_500)
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1) + 1_500)
  })

  it('starts where asked and can jump, backwards too', () => {
    const clock = createFakeClock(1_000)
    clock.set(500)
    expect(clock.now()).toBe(500)
    clock.advance(0)
    expect(clock.now()).toBe(500)
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses to advance by %s', (ms) => {
    const clock = createFakeClock()
    let thrown: unknown
    try {
      clock.advance(ms)
    } catch (error) {
      thrown = error
    }
    expect(isCacheError(thrown) && thrown.code).toBe('INVALID_OPTIONS')
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1))
  })

  it('refuses a start or a jump that is not a finite number', () => {
    expect(() => createFakeClock(Number.NaN)).toThrow(/startMs/)
    expect(() => createFakeClock().set(Number.POSITIVE_INFINITY)).toThrow(/set/)
  })
})
