import { DriverError, InvalidOptionsError, type Driver } from '@cachette/core'

/** What a {@link chaosDriver} does to the calls it wraps. Every field is optional; `{}` is healthy. */
export interface ChaosDriverOptions {
  /**
   * Fraction of calls, in [0, 1], that reject with a `DriverError` (`DRIVER_FAILURE`) without
   * reaching the inner driver.
   * @default 0
   * @example
   * ```ts
   * chaosDriver(memoryDriver(), { failureRate: 0.3 }) // about 3 calls in 10 reject with DRIVER_FAILURE
   * ```
   */
  readonly failureRate?: number
  /**
   * Delay added before a call reaches the inner driver, in ms.
   * @default 0
   * @example
   * ```ts
   * chaosDriver(memoryDriver(), { delayMs: 30 }) // every call answers at least 30 ms late
   * ```
   */
  readonly delayMs?: number
  /**
   * Random extra delay in [0, jitterMs), added to `delayMs`.
   * @default 0
   * @example
   * ```ts
   * chaosDriver(memoryDriver(), { delayMs: 20, jitterMs: 10 }) // each call 20 to 30 ms late
   * ```
   */
  readonly jitterMs?: number
  /**
   * Fraction of calls, in [0, 1], that get the delay.
   * @default 1
   * @example
   * ```ts
   * chaosDriver(memoryDriver(), { delayMs: 500, delayRate: 0.1 }) // a slow tail: about 1 call in 10 takes 500 ms
   * ```
   */
  readonly delayRate?: number
  /**
   * Every call hangs (never settles), like a frozen store: only the caller's deadline ends it.
   * @default false
   * @example
   * ```ts
   * const driver = chaosDriver(memoryDriver())
   * driver.chaos.set({ hang: true }) // a frozen (SIGSTOP) store; createCache's deadlineMs ends each call
   * ```
   */
  readonly hang?: boolean
  /**
   * The driver methods affected (`'get'`, `'set'`, `'delete'`...); the others pass through.
   * @default every method
   * @example
   * ```ts
   * chaosDriver(memoryDriver(), { failureRate: 1, methods: ['delete'] }) // delete rejects; get and set pass through
   * ```
   */
  readonly methods?: readonly string[]
  /**
   * The random source, for reproducible runs.
   * @default Math.random
   * @example
   * ```ts
   * let seed = 42
   * const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 // a seeded generator
   * chaosDriver(memoryDriver(), { failureRate: 0.3, random }) // the same calls fail on every run
   * ```
   */
  readonly random?: () => number
}

/** Counters and controls of a {@link chaosDriver}. */
export interface ChaosControl {
  /**
   * Replaces the current chaos (`{}` heals).
   *
   * @example
   * ```ts
   * driver.chaos.set({ failureRate: 0.5, methods: ['get'] }) // half of the reads throw
   * driver.chaos.set({ hang: true })                        // every call hangs
   * ```
   */
  set(options: ChaosDriverOptions): void
  /**
   * Back to a healthy pass-through.
   *
   * @example
   * ```ts
   * driver.chaos.heal()
   * driver.chaos.failures // what was counted while it failed
   * ```
   */
  heal(): void
  /** Calls made to the wrapper. */
  readonly calls: number
  /** Calls that were failed on purpose. */
  readonly failures: number
  /** Calls that were delayed (or hung) on purpose. */
  readonly delayed: number
}

/** A driver wrapped by {@link chaosDriver}: the inner driver's name and capabilities, plus `chaos`. */
export type ChaosDriver = Driver & { readonly chaos: ChaosControl }

const NOT_METHODS = new Set<PropertyKey>(['name', 'capabilities', 'chaos'])

function check(options: ChaosDriverOptions): ChaosDriverOptions {
  const rate = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value <= 1)) throw new InvalidOptionsError(`[@cachette/testing] chaosDriver: ${name} must be in [0, 1]`)
  }
  const ms = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new InvalidOptionsError(`[@cachette/testing] chaosDriver: ${name} must be a number of ms >= 0`)
  }
  rate('failureRate', options.failureRate)
  rate('delayRate', options.delayRate)
  ms('delayMs', options.delayMs)
  ms('jitterMs', options.jitterMs)
  return options
}

/**
 * Wraps a driver so that its calls fail, slow down or hang at a given rate: the store faults of
 * a network without a network, for unit tests of everything above the driver. The chaos can be
 * changed while traffic runs (`driver.chaos.set(...)`, `driver.chaos.heal()`). `scan()` is
 * affected through its iterator's `next()`.
 *
 * @example
 * ```ts
 * import { createCache, memoryDriver } from '@cachette/core'
 * import { chaosDriver } from '@cachette/testing'
 *
 * const driver = chaosDriver(memoryDriver(), { failureRate: 0.3, delayMs: 20, jitterMs: 10 })
 * const cache = createCache({ driver, circuitBreaker: true })
 * driver.chaos.set({ hang: true })   // a frozen store
 * driver.chaos.heal()
 * ```
 */
export function chaosDriver(inner: Driver, options: ChaosDriverOptions = {}): ChaosDriver {
  let current = check(options)
  let affected = current.methods === undefined ? undefined : new Set(current.methods)
  const counters = { calls: 0, failures: 0, delayed: 0 }
  const control: ChaosControl = {
    set(next) {
      current = check(next)
      affected = current.methods === undefined ? undefined : new Set(current.methods)
    },
    heal() {
      control.set({})
    },
    get calls() {
      return counters.calls
    },
    get failures() {
      return counters.failures
    },
    get delayed() {
      return counters.delayed
    },
  }

  /** What happens to one call: undefined to pass through, else a promise standing in for it. */
  const disturb = <T>(method: string, call: () => Promise<T>): Promise<T> => {
    counters.calls++
    if (affected !== undefined && !affected.has(method)) return call()
    const random = current.random ?? Math.random
    if (current.hang === true) {
      counters.delayed++
      return new Promise<T>(() => undefined)
    }
    if ((current.failureRate ?? 0) > 0 && random() < (current.failureRate ?? 0)) {
      counters.failures++
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[@cachette/testing] chaos: injected failure of ${method}`))
    }
    const delayMs = (current.delayMs ?? 0) + (current.jitterMs ?? 0) * random()
    if (delayMs > 0 && random() < (current.delayRate ?? 1)) {
      counters.delayed++
      return new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(call)
    }
    return call()
  }

  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'chaos') return control
      const value = Reflect.get(target, property, receiver)
      if (NOT_METHODS.has(property) || typeof value !== 'function') return value
      const method = String(property)
      const fn = value as (...args: unknown[]) => unknown
      if (method === 'scan') {
        return (...args: unknown[]) => ({
          [Symbol.asyncIterator]: () => {
            const iterator = (fn.apply(target, args) as AsyncIterable<string>)[Symbol.asyncIterator]()
            return {
              next: () => disturb('scan', () => iterator.next()),
              return: () => iterator.return?.() ?? Promise.resolve({ done: true, value: undefined }),
            }
          },
        })
      }
      return (...args: unknown[]) => {
        try {
          return disturb(method, () => Promise.resolve(fn.apply(target, args)))
        } catch (error) {
          return Promise.reject(error)
        }
      }
    },
  }) as ChaosDriver
}
