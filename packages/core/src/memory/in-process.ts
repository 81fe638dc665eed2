/**
 * Drivers whose every call settles before control returns to the event loop: the instances
 * `memoryDriver()` creates, and nothing else. For them a deadline can never fire before the
 * answer, so the cache skips the deadline bookkeeping (about a fifth of a memory hit's cost).
 *
 * Identity, not a capability flag: a wrapper around a memory driver (a Proxy that delays or
 * hangs its calls, as tests and instrumentation do) is another object, is not in this set, and
 * keeps its deadlines.
 */
const inProcessDrivers = new WeakSet<object>()

/** Records a driver created by `memoryDriver()`. */
export function markInProcess(driver: object): void {
  inProcessDrivers.add(driver)
}

/**
 * True only for an instance `memoryDriver()` created itself (not for a wrapper around one).
 *
 * @example
 * ```ts
 * isInProcessDriver(memoryDriver()) // true
 * isInProcessDriver(new Proxy(memoryDriver(), {})) // false
 * ```
 */
export function isInProcessDriver(driver: object): boolean {
  return inProcessDrivers.has(driver)
}
