import { describe } from 'vitest'
import type { BaseDriver, DriverCapabilities } from '@cachette/core'
import { registerBatchTests } from './batch.js'
import { registerBinaryTests } from './binary.js'
import { registerCompareAndDeleteTests } from './compare-and-delete.js'
import { registerCompareAndSetTests } from './compare-and-set.js'
import { registerConcurrencyTests } from './concurrency.js'
import type { ConformanceCapabilities, ConformanceContext } from './context.js'
import { registerHashTests } from './hashes.js'
import { registerModelTests } from './model.js'
import { resolveConformanceOptions, type DriverConformanceOptions } from './options.js'
import { registerPubSubTests } from './pubsub.js'
import { registerScanTests } from './scan.js'
import { registerSetTests } from './sets.js'
import { registerSortedSetTests } from './sorted-sets.js'
import { registerStringTests } from './strings.js'
import { registerTtlTests } from './ttl.js'
import { registerUnicodeTests } from './unicode.js'
import { assertInsideVitest } from './vitest-run.js'

/**
 * The capabilities to test. `counters` and `inspection` came after the groups they announce:
 * left out, they are read from the probe's methods, or taken as true when the capabilities were
 * given up front (a driver written before those flags has the methods). Every other flag is
 * tested as announced, so a driver that announces a group it lacks fails loudly.
 */
function resolveCapabilities(announced: DriverCapabilities, probe?: BaseDriver): ConformanceCapabilities {
  const has = (...methods: string[]) => probe === undefined || methods.every((method) => typeof (probe as unknown as Record<string, unknown>)[method] === 'function')
  return { ...announced, counters: announced.counters ?? has('incrby'), inspection: announced.inspection ?? has('exists', 'pttl') }
}

async function readCapabilities(makeDriver: () => BaseDriver | Promise<BaseDriver>): Promise<ConformanceCapabilities> {
  const probe = await makeDriver()
  try {
    return resolveCapabilities({ ...probe.capabilities }, probe)
  } finally {
    await probe.close()
  }
}

/**
 * Registers the driver conformance suite with vitest: one `describe` per topic (strings, ttl,
 * scan, utf-8, binary, hashes, sets, sorted sets, pub/sub, batch, compareAndDelete, concurrency,
 * model-based), each with its own driver made in `beforeAll` and closed in `afterAll`, and a
 * random key prefix per test so many suites can share one server without FLUSHDB. A topic whose
 * capability the driver lacks is not registered at all, and a test that needs a command group the
 * driver does not announce is skipped: a `BaseDriver` with every capability false runs the base
 * topics (strings, utf-8, ttl, scan, concurrency, compareAndDelete, model-based) on the base
 * commands alone, TTLs then checked by letting them expire.
 *
 * Call it at the top level of a test file. Unless `options.capabilities` is given, `makeDriver()`
 * runs once while vitest collects the tests (to read `capabilities`), so a server it needs must be
 * running by then (start it with a top-level `await`). Called anywhere but in a file vitest runs
 * (plain node, Jest, node:test), it throws a `CacheError` with code `UNSUPPORTED` before touching
 * vitest.
 *
 * @param name - shown in the report: `<name> driver conformance`.
 * @param makeDriver - makes a new driver (a `BaseDriver` is enough); called once per topic.
 * @param options - how time moves, documented quirks, property-test runs.
 * @example
 * ```ts
 * import { memoryDriver } from '@cachette/core'
 * import { createFakeClock } from '@cachette/testing'
 * import { runDriverConformance } from '@cachette/testing/conformance'
 *
 * const clock = createFakeClock()
 * runDriverConformance('memory', () => memoryDriver({ clock }), {
 *   advanceTime: async (ms) => { clock.advance(ms) },
 * })
 * ```
 */
export function runDriverConformance(name: string, makeDriver: () => BaseDriver | Promise<BaseDriver>, options?: DriverConformanceOptions): void {
  assertInsideVitest()
  const settings = resolveConformanceOptions(options)
  describe(`${name} driver conformance`, async () => {
    const capabilities = options?.capabilities === undefined ? await readCapabilities(makeDriver) : resolveCapabilities(options.capabilities)
    const context: ConformanceContext = { ...settings, makeDriver, capabilities }
    registerStringTests(context)
    registerUnicodeTests(context)
    registerTtlTests(context)
    registerScanTests(context)
    registerConcurrencyTests(context)
    registerCompareAndDeleteTests(context)
    if (capabilities.compareAndSet === true) registerCompareAndSetTests(context)
    if (capabilities.binary) registerBinaryTests(context)
    if (capabilities.hashes) registerHashTests(context)
    if (capabilities.sets) registerSetTests(context)
    if (capabilities.sortedSets) registerSortedSetTests(context)
    if (capabilities.pubsub) registerPubSubTests(context)
    if (capabilities.batch) registerBatchTests(context)
    registerModelTests(context)
  })
}
