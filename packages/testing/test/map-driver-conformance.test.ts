import { createFakeClock } from '../src/index.js'
import { runDriverConformance } from '../src/conformance.js'
import { mapDriver } from './fixtures/map-driver.js'

/*
 * The worked example of docs/drivers.md, a BaseDriver with every capability false, passes the
 * base topics on the base commands alone: on the real clock (TTLs checked by sleeping past them)
 * and on a fake clock (to the millisecond, with short TTLs in the model-based test).
 */

runDriverConformance('map-driver', () => mapDriver())

const clock = createFakeClock()
runDriverConformance('map-driver (fake clock)', () => mapDriver({ clock }), {
  advanceTime: async (ms) => {
    clock.advance(ms)
  },
})
