import type { CacheRuntime, Flight } from '../store-calls/cache-runtime.js'

/** A getOrSet flight registered by a batch: the batch settles it for the key. */
export interface BatchFlight extends Flight {
  readonly fullKey: string
  /** Resolves the flight's promise (the callers that joined it get `value`). */
  settle(value: unknown): void
  /** Rejects the flight's promise (handled: nobody may have joined it). */
  fail(error: unknown): void
}

/**
 * Registers a flight for a key in `rt.flights`, as getOrSet does, so that a getOrSet of the key
 * arriving meanwhile joins it instead of loading again. Settle or fail it, then {@link endBatchFlight}.
 *
 * @example
 * ```ts
 * const flight = startBatchFlight(rt, fullKey)
 * flight.settle(value)
 * endBatchFlight(rt, flight)
 * ```
 */
export function startBatchFlight(rt: CacheRuntime, fullKey: string): BatchFlight {
  let resolve!: (value: unknown) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Nobody may have joined it: a failure must not be an unhandled rejection.
  promise.catch(() => undefined)
  const flight: BatchFlight = { fullKey, promise, skipWrite: false, observed: undefined, settle: resolve, fail: reject }
  rt.flights.set(fullKey, flight)
  return flight
}

/**
 * Unregisters a flight unless an invalidation already dropped or replaced it.
 *
 * @example
 * ```ts
 * endBatchFlight(rt, flight)
 * ```
 */
export function endBatchFlight(rt: CacheRuntime, flight: BatchFlight): void {
  if (rt.flights.get(flight.fullKey) === flight) rt.flights.delete(flight.fullKey)
}
