/**
 * Drivers whose every call settles before control returns to the event loop: the instances
 * `memoryDriver()` creates, and nothing else. For them a deadline can never fire before the
 * answer, so the cache skips the deadline bookkeeping (about a fifth of a memory hit's cost).
 *
 * Identity, not a capability flag: a wrapper around a memory driver (a Proxy that delays or
 * hangs its calls, as tests and instrumentation do) is another object, is not in this set, and
 * keeps its deadlines.
 */
const inProcessDrivers = new WeakMap<object, (key: string) => string | null>()

/** Records a driver created by `memoryDriver()`, with its GET as a plain function (it may throw, e.g. CLOSED). */
export function markInProcess(driver: object, getNow: (key: string) => string | null): void {
  inProcessDrivers.set(driver, getNow)
}

/**
 * The synchronous GET of an instance `memoryDriver()` created itself, or undefined for any other
 * driver (a wrapper around one included). The hit path of a memory cache reads through it and
 * takes no promise: the answer exists before the call returns anyway.
 *
 * @example
 * ```ts
 * const getNow = inProcessGet(driver)
 * const raw = getNow?.('identity:patient:42')
 * ```
 */
export function inProcessGet(driver: object): ((key: string) => string | null) | undefined {
  return inProcessDrivers.get(driver)
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
