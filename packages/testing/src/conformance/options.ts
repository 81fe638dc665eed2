import { InvalidOptionsError, type DriverCapabilities } from '@cachette/core'
import type { DriverConformanceQuirks } from './quirks.js'

export type { DriverConformanceQuirks } from './quirks.js'

/**
 * Options of {@link runDriverConformance}.
 *
 * @example
 * ```ts
 * const clock = createFakeClock()
 * runDriverConformance('memory', () => memoryDriver({ clock }), {
 *   advanceTime: async (ms) => { clock.advance(ms) },
 * })
 * ```
 */
export interface DriverConformanceOptions {
  /**
   * Lets `ms` milliseconds pass for the driver, so TTLs can expire. Pass a fake clock's
   * `advance` when the driver takes an injectable clock.
   *
   * @default a real sleep of `ms`
   * @example
   * ```ts
   * const clock = createFakeClock()
   * runDriverConformance('memory', () => memoryDriver({ clock }), { advanceTime: async (ms) => { clock.advance(ms) } })
   * ```
   */
  readonly advanceTime?: (ms: number) => Promise<void>
  /**
   * True when `advanceTime` moves the driver's clock by exactly `ms` (a fake clock). TTL tests
   * then check remaining times to the millisecond, and the model-based test adds short TTLs and
   * time steps. Leave it false for a real server, where time also passes between commands.
   *
   * @default true when `advanceTime` is given, false otherwise
   * @example
   * ```ts
   * import { setTimeout as sleep } from 'node:timers/promises'
   * // advanceTime only sleeps on a real server: keep TTL checks approximate
   * runDriverConformance('ioredis', () => ioredisDriver({ url: server.url }), { advanceTime: (ms) => sleep(ms), exactTime: false })
   * ```
   */
  readonly exactTime?: boolean
  /**
   * The driver's capabilities, when `makeDriver()` cannot run while vitest collects the tests
   * (for instance because the server starts in a `beforeAll`). Without it the suite calls
   * `makeDriver()` once during collection, reads `capabilities`, and closes that driver. Given
   * here, a `counters` or `inspection` flag left out counts as true (a driver older than those
   * flags has incrby, exists and pttl); read from the driver, it counts when the methods are there.
   *
   * @default read from a driver made during collection
   * @example
   * ```ts
   * // the cluster starts in beforeAll, so makeDriver() cannot run while vitest collects the tests
   * const capabilities: DriverCapabilities = { binary: true, hashes: true, sets: true, sortedSets: true, pubsub: true, batch: true, crossSlotBatch: false, compareAndDelete: true }
   * runDriverConformance('ioredis (cluster)', () => ioredisDriver({ cluster: cluster.nodes }), { capabilities })
   * ```
   */
  readonly capabilities?: DriverCapabilities
  /**
   * Documented deviations from Redis; see {@link DriverConformanceQuirks}.
   *
   * @default none
   * @example
   * ```ts
   * // memoryDriver is stricter than Redis EXEC: a failed batch leaves no trace
   * runDriverConformance('memory', () => memoryDriver(), { quirks: { batchAllOrNothing: true } })
   * ```
   */
  readonly quirks?: DriverConformanceQuirks
  /**
   * Runs (random command sequences) of each property-based test.
   *
   * @default 50
   * @example
   * ```ts
   * runDriverConformance('memory', () => memoryDriver(), { propertyRuns: 500 }) // a longer model-based test
   * ```
   */
  readonly propertyRuns?: number
  /**
   * Kills every pub/sub connection on the server (`CLIENT KILL TYPE pubsub` on every node), so
   * the suite can check `SubscribeOptions.onConnectionChange`: `false` after the kill, then `true`
   * once the driver subscribed again, and delivery of what is published after `true`. Without
   * it, that test is not registered (a store whose connections cannot be killed: memory, mocks).
   *
   * @default none (the connection-loss test is not registered)
   * @example
   * ```ts
   * import { execFile } from 'node:child_process'
   * import { promisify } from 'node:util'
   * runDriverConformance('ioredis', () => ioredisDriver({ url: server.url }), {
   *   killPubSubConnections: async () => {
   *     await promisify(execFile)('redis-cli', ['-p', String(server.port), 'CLIENT', 'KILL', 'TYPE', 'pubsub'])
   *   },
   * })
   * ```
   */
  readonly killPubSubConnections?: () => Promise<void>
}

/** The options with every default filled in. */
export interface ConformanceSettings {
  readonly advanceTime: (ms: number) => Promise<void>
  readonly exactTime: boolean
  readonly quirks: DriverConformanceQuirks
  readonly propertyRuns: number
  /** See {@link DriverConformanceOptions.killPubSubConnections}; undefined when not given. */
  readonly killPubSubConnections: (() => Promise<void>) | undefined
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Checks the options once and fills in the defaults. */
export function resolveConformanceOptions(options: DriverConformanceOptions | undefined): ConformanceSettings {
  const given = options ?? {}
  const problems: string[] = []
  if (given.advanceTime !== undefined && typeof given.advanceTime !== 'function') problems.push('advanceTime must be a function')
  if (given.propertyRuns !== undefined && (!Number.isSafeInteger(given.propertyRuns) || given.propertyRuns < 1)) problems.push('propertyRuns must be an integer >= 1')
  if (given.killPubSubConnections !== undefined && typeof given.killPubSubConnections !== 'function') problems.push('killPubSubConnections must be a function')
  if (given.exactTime === true && given.advanceTime === undefined) problems.push('exactTime needs an advanceTime that moves the driver clock')
  if (problems.length > 0) throw new InvalidOptionsError(`[@cachette/testing] runDriverConformance options are invalid: ${problems.join('; ')}`)
  return {
    advanceTime: given.advanceTime ?? sleep,
    exactTime: given.exactTime ?? given.advanceTime !== undefined,
    quirks: given.quirks ?? {},
    propertyRuns: given.propertyRuns ?? 50,
    killPubSubConnections: given.killPubSubConnections,
  }
}
