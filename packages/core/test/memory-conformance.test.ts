import { createFakeClock } from '@cachette/testing'
import { runDriverConformance } from '@cachette/testing/conformance'
import { memoryDriver } from '../src/index.js'

// One fake clock for the whole suite: TTL tests advance it instead of sleeping.
const clock = createFakeClock()

runDriverConformance('memory', () => memoryDriver({ clock }), {
  advanceTime: async (ms) => {
    clock.advance(ms)
  },
  // Stricter than Redis EXEC, by design: a failed batch leaves no trace (see memoryDriver docs).
  quirks: { batchAllOrNothing: true },
})
