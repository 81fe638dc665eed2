import type { Driver } from '../../src/index.js'

/**
 * Test-only drivers that wrap memoryDriver() with a Proxy: the wrapped driver keeps its name
 * and capabilities, only its methods change.
 */

const NON_METHODS = new Set<PropertyKey>(['name', 'capabilities'])

function wrap(inner: Driver, around: (method: string, call: () => unknown) => unknown): Driver {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (NON_METHODS.has(property) || typeof value !== 'function') return value
      return (...args: unknown[]) => around(String(property), () => (value as (...a: unknown[]) => unknown).apply(target, args))
    },
  })
}

/** Counts calls per method. */
export function countingDriver(inner: Driver): { driver: Driver; calls: Map<string, number>; total(): number; reset(): void } {
  const calls = new Map<string, number>()
  const driver = wrap(inner, (method, call) => {
    calls.set(method, (calls.get(method) ?? 0) + 1)
    return call()
  })
  return {
    driver,
    calls,
    total: () => [...calls.values()].reduce((sum, n) => sum + n, 0),
    reset: () => calls.clear(),
  }
}

/** Every call rejects with `error` (default: a plain Error); scan's iterator rejects on next(). */
export function throwingDriver(inner: Driver, error: () => unknown = () => new Error('connection refused')): Driver {
  return wrap(inner, (method) => {
    if (method === 'scan') {
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error()) }) }
    }
    return Promise.reject(error())
  })
}

/** Every call returns a promise that never settles (a store that accepts connections and then hangs). */
export function hangingDriver(inner: Driver): Driver {
  const never = () => new Promise<never>(() => undefined)
  return wrap(inner, (method) => {
    if (method === 'scan') return { [Symbol.asyncIterator]: () => ({ next: never }) }
    return never()
  })
}

/** Every call waits `ms` before reaching the inner driver. */
export function delayedDriver(inner: Driver, ms: number): Driver {
  return wrap(inner, (method, call) => {
    if (method === 'scan') return call()
    return new Promise((resolve) => setTimeout(resolve, ms)).then(call)
  })
}
