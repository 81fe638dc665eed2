import { expect, it } from 'vitest'
import type { FenceRaceResult } from './fence-race-harness.js'
import type { FenceRaceConfig } from './fence-race-process.js'

/** Runs the race on one store: with or without the fence, invalidating the key or its tag. */
export type FenceRace = (fence: boolean, invalidation: FenceRaceConfig['invalidation']) => Promise<FenceRaceResult>

/**
 * The three race tests every store runs (inside the caller's describe): fenced invalidate,
 * its `fence: false` control, fenced invalidateTags.
 */
export function registerFenceRaceTests(race: FenceRace): void {
  it('invalidate: no round ends with a stale value (the fence is on by default)', async () => {
    const result = await race(true, 'key')
    expect(result.staleRounds, result.examples.join('; ')).toBe(0)
    // The fence must not pass by never caching.
    expect(result.freshRounds).toBeGreaterThan(0)
  }, 60_000)

  it('invalidate with fence: false: the same race leaves stale values (the control)', async () => {
    const result = await race(false, 'key')
    expect(result.staleRounds).toBeGreaterThan(0)
  }, 60_000)

  it('invalidateTags of a tagged getOrSet: no round ends with a stale value', async () => {
    const result = await race(true, 'tag')
    expect(result.staleRounds, result.examples.join('; ')).toBe(0)
    expect(result.freshRounds).toBeGreaterThan(0)
  }, 60_000)
}
