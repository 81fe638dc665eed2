import { createCache, memoryDriver, type BaseDriver, type CacheLogFields, type CacheOptions, type Driver } from '../../src/index.js'

/** A random prefix per test, instead of flushing a shared store. */
export function randomPrefix(): string {
  return `t${Math.random().toString(36).slice(2, 10)}`
}

/** A logger that records every call. */
export function recordingLogger(): { warn(message: string, fields: CacheLogFields): void; lines: { message: string; fields: CacheLogFields }[] } {
  const lines: { message: string; fields: CacheLogFields }[] = []
  return { lines, warn: (message, fields) => void lines.push({ message, fields }) }
}

/** A cache isolated from the environment and the console, on its own memory driver unless given one. */
export function testCache<D extends BaseDriver = Driver>(options: Omit<CacheOptions, 'driver'> & { driver?: D } = {}) {
  const logger = recordingLogger()
  const driver: D | Driver = options.driver ?? memoryDriver()
  const cache = createCache({ env: false, logger, prefix: randomPrefix(), ...options, driver })
  return { cache, driver, logger }
}
