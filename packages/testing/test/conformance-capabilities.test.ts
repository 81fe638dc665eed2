import { CAPABILITY_METHODS, DriverError, memoryDriver, type BatchCommand, type Driver, type DriverCapabilities } from '@cachette/core'
import { runDriverConformance } from '../src/conformance.js'
import { hashSlot } from '../src/conformance/hash-slot.js'

/*
 * The suite registers a topic only when the driver has its capability. These drivers refuse
 * (UNSUPPORTED) every method they do not claim, so a test registered by mistake fails here.
 */

const FAMILIES = CAPABILITY_METHODS

function batchKeys(command: BatchCommand): readonly string[] {
  return command.op === 'delete' ? command.keys : [command.key]
}

/** A memory driver that only claims `capabilities`, and checks slots like a cluster when asked. */
function restrictedDriver(capabilities: DriverCapabilities): Driver {
  const inner = memoryDriver()
  const refused = new Set<string>()
  for (const [capability, methods] of Object.entries(FAMILIES)) {
    if (!capabilities[capability as keyof DriverCapabilities]) for (const method of methods) refused.add(method)
  }
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'capabilities') return capabilities
      if (property === 'name') return 'restricted-memory'
      if (typeof property === 'string' && refused.has(property)) {
        return () => Promise.reject(new DriverError('UNSUPPORTED', `[test] ${property} is not supported`))
      }
      if (property === 'batch' && !capabilities.crossSlotBatch) {
        return (commands: readonly BatchCommand[]) => {
          const slots = new Set(commands.flatMap(batchKeys).map(hashSlot))
          if (slots.size > 1) return Promise.reject(new DriverError('CROSS_SLOT', '[test] keys in different slots'))
          return target.batch(commands)
        }
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

const none: DriverCapabilities = {
  binary: false,
  hashes: false,
  sets: false,
  sortedSets: false,
  pubsub: false,
  batch: false,
  crossSlotBatch: false,
  compareAndDelete: false,
  counters: false,
  inspection: false,
}

// Base commands only (no incrby, exists or pttl either), capabilities read from a probe driver;
// real time (no advanceTime), so the TTL tests sleep briefly.
runDriverConformance('base-only (real clock)', () => restrictedDriver(none), { propertyRuns: 20 })

// Capabilities given up front; a cluster-like batch that refuses to span hash slots.
const clusterLike: DriverCapabilities = { ...none, hashes: true, sortedSets: true, batch: true, compareAndDelete: true }
runDriverConformance('cluster-like', () => restrictedDriver(clusterLike), {
  capabilities: clusterLike,
  quirks: { batchAllOrNothing: true },
  propertyRuns: 20,
})
