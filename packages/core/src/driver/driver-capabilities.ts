import type { BaseDriver, Driver, DriverCapability, DriverWith } from './driver.js'
import { DriverError, MissingCapabilityError } from '../errors.js'

/**
 * The methods each capability adds to BaseDriver (the group interfaces of driver.ts, kept in step
 * with them); none for the flags that describe a behaviour. For driver authors and test doubles.
 *
 * @example
 * ```ts
 * CAPABILITY_METHODS.hashes // ['hset', 'hgetall', 'hdel', 'hincrby']
 * ```
 */
export const CAPABILITY_METHODS: { readonly [C in DriverCapability]-?: readonly (keyof Driver)[] } = {
  binary: ['getBytes'],
  counters: ['incrby'],
  inspection: ['exists', 'pttl'],
  hashes: ['hset', 'hgetall', 'hdel', 'hincrby'],
  sets: ['sadd', 'srem', 'smembers'],
  sortedSets: ['zadd', 'zrangeByScore', 'zrem', 'zcard', 'zremRangeByScore'],
  pubsub: ['publish', 'subscribe'],
  batch: ['batch'],
  crossSlotBatch: [],
  compareAndDelete: [],
  compareAndSet: ['compareAndSet'],
  tracking: ['trackInvalidations'],
}

const BINARY = ['binary'] as const

/**
 * Flags that came after the groups they announce: drivers written before them (ioredis, Upstash,
 * third-party) have the methods and leave the flag out, so an absent flag defers to the methods.
 */
const IMPLIED_BY_METHODS: ReadonlySet<string> = new Set<DriverCapability>(['counters', 'inspection'])

/** Announced (or, for a later flag left out, implied) and every method of the group present. */
function hasCapability(driver: BaseDriver, capability: string): boolean {
  if (!Object.hasOwn(CAPABILITY_METHODS, capability)) return false
  // A JavaScript caller may hand in an object without capabilities: then it has none.
  const flag = (driver.capabilities as unknown as Record<string, unknown> | undefined)?.[capability]
  if (flag !== true && !(flag === undefined && IMPLIED_BY_METHODS.has(capability))) return false
  const methods = CAPABILITY_METHODS[capability as DriverCapability]
  return methods.every((method) => typeof (driver as unknown as Record<string, unknown>)[method] === 'function')
}

/**
 * True when the driver announces every capability in `capabilities` and has the methods of their
 * command groups; narrows the driver to {@link DriverWith} those groups. A flag `counters` or
 * `inspection` left out counts when the methods are there (drivers older than the flag).
 *
 * @param driver - any driver.
 * @param capabilities - the capabilities to check, e.g. `['batch']`.
 * @example
 * ```ts
 * import { hasCapabilities, type BaseDriver } from '@cachette/core'
 *
 * async function replace(driver: BaseDriver, key: string, value: string) {
 *   if (hasCapabilities(driver, ['batch'])) return void (await driver.batch([{ op: 'delete', keys: [key] }, { op: 'set', key, value }]))
 *   await driver.delete([key])
 *   await driver.set(key, value)
 * }
 * ```
 */
export function hasCapabilities<D extends BaseDriver, C extends DriverCapability>(driver: D, capabilities: readonly C[]): driver is D & DriverWith<C> {
  return capabilities.every((capability) => hasCapability(driver, capability))
}

/**
 * Checks, once, that a driver has every capability a package needs, and returns it typed with
 * their command groups ({@link DriverWith}). Call it where the package is constructed, so a driver
 * that lacks something is refused at startup rather than failing on the first call.
 *
 * @param driver - the driver the package was given.
 * @param capabilities - what the package needs, e.g. `['hashes', 'batch']`.
 * @param consumer - who needs it, for the error message: a package or factory name.
 * @returns the same driver, typed with the groups of `capabilities`.
 * @throws MissingCapabilityError (code `MISSING_CAPABILITY`) listing every capability missing.
 * @example
 * ```ts
 * import { requireCapabilities, type BaseDriver } from '@cachette/core'
 *
 * export function createExportJobs(options: { driver: BaseDriver }) {
 *   const driver = requireCapabilities(options.driver, ['hashes', 'batch'], '@acme/fhir-export')
 *   // [@acme/fhir-export] the 'map' driver lacks what this package needs: hashes, batch
 *   return { start: (id: string) => driver.hset(`fhir:export:${id}`, { status: 'running' }) }
 * }
 * ```
 */
export function requireCapabilities<D extends BaseDriver, C extends DriverCapability>(driver: D, capabilities: readonly C[], consumer: string): D & DriverWith<C> {
  const missing = [...new Set(capabilities)].filter((capability) => !hasCapability(driver, capability))
  if (missing.length > 0) throw new MissingCapabilityError(consumer, driver.name, missing)
  return driver as D & DriverWith<C>
}

/**
 * GET as bytes, for a read with a bytes codec. createCache refuses a bytes codec for the cache on
 * a driver without `binary`, but a key may bring its own codec: that read rejects with
 * UNSUPPORTED instead of calling a method the driver does not have.
 */
export function readBytes(driver: BaseDriver, key: string): Promise<Uint8Array | null> {
  if (hasCapabilities(driver, BINARY)) return driver.getBytes(key)
  return Promise.reject(new DriverError('UNSUPPORTED', `[@cachette/core] the '${driver.name}' driver does not support binary values (a codec stores bytes)`))
}
