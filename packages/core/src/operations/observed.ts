import type { DriverValue } from '../driver/driver.js'

/**
 * What a getOrSet read saw at the key: the raw value (an entry or a tombstone), `null` when the
 * key was absent, or `undefined` when the read did not reach the store. A flight keeps it (the
 * runtime's `Flight`) and the fence compares against it before writing; in a file of its own so
 * that the runtime need not import the fence, which takes the runtime.
 */
export type Observed = DriverValue | null | undefined
