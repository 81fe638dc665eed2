import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { KeySpec } from '../keys/define-key.js'
import type { StandardSchemaV1Result } from '../keys/standard-schema.js'
import type { L1Entry } from './l1-tier.js'
import type { LabelAttributes } from '../observability/metrics.js'

/**
 * The value of a memory-tier entry: its shared value (`shareValues`), or its payload decoded by
 * the codec and checked by the key's schema, as a store hit would be. MISS when the entry was
 * written by another codec, or no longer decodes or passes the schema (then dropped). A Promise
 * only for a schema that validates asynchronously.
 *
 * @example
 * ```ts
 * const value = l1Value(rt, 'identity:patient:42', entry, spec)
 * ```
 */
export function l1Value(rt: CacheRuntime, fullKey: string, entry: L1Entry, spec: KeySpec | undefined): unknown {
  if (entry.shared !== MISS) return entry.shared
  const codec = spec?.codec ?? rt.config.codec
  if (entry.codec !== codec) return MISS
  let value: unknown
  try {
    value = codec.decode(entry.payload as never)
  } catch {
    rt.l1?.invalidateKeys([fullKey])
    return MISS
  }
  const schema = spec?.schema
  if (schema === undefined) return value
  const result = schema['~standard'].validate(value) as StandardSchemaV1Result<unknown> | Promise<StandardSchemaV1Result<unknown>>
  if (result instanceof Promise) return result.then((settled) => checked(rt, fullKey, settled))
  return checked(rt, fullKey, result)
}

function checked(rt: CacheRuntime, fullKey: string, result: StandardSchemaV1Result<unknown>): unknown {
  if (result.issues === undefined) return result.value
  rt.l1?.invalidateKeys([fullKey])
  return MISS
}

/**
 * With the store unreachable: the value of a memory-tier entry that may still be served, whether
 * or not the tier answers for it now (an L1 TTL passed, the bus is down). `until: 'fresh'` (get)
 * within the entry's own TTL; `'grace'` (getOrSet) within its grace period too. Never an entry
 * whose invalidation waits in the invalidation queue. MISS when there is none.
 *
 * @example
 * ```ts
 * const stale = l1Fallback(rt, fullKey, spec, rt.config.clock.now(), 'grace')
 * ```
 */
export function l1Fallback(rt: CacheRuntime, fullKey: string, spec: KeySpec | undefined, now: number, until: 'fresh' | 'grace'): unknown {
  const entry = rt.l1?.fallback(fullKey, now)
  if (entry === undefined) return MISS
  if (until === 'fresh' && !(entry.freshUntil !== undefined && now < entry.freshUntil)) return MISS
  const queue = rt.queue
  if (queue !== undefined && queue.size > 0 && queue.shadows(fullKey, entry.tags)) return MISS
  return l1Value(rt, fullKey, entry, spec)
}

/**
 * Counts an answer the memory tier gave as stale because the store could not be reached.
 *
 * @example
 * ```ts
 * recordL1Stale(rt, attributes, spec, 'getOrSet')
 * ```
 */
export function recordL1Stale(rt: CacheRuntime, attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet'): void {
  rt.stats.staleHits++
  rt.stats.l1StaleHits++
  rt.metrics.staleHit(attributes)
  if (rt.events.active) rt.events.emit('staleHit', attributes, spec, { operation, tier: 'l1' })
}

/**
 * The memory tier's answer for one key of a read, counted: its value (an L1 hit), or MISS (an
 * L1 miss, which the caller then asks the store about). A Promise only for an asynchronous schema.
 *
 * @example
 * ```ts
 * let value = l1Lookup(rt, fullKey, spec, attributes, 'get')
 * if (value instanceof Promise) value = await value
 * ```
 */
export function l1Lookup(rt: CacheRuntime, fullKey: string, spec: KeySpec | undefined, attributes: LabelAttributes, operation: 'get' | 'getOrSet'): unknown {
  const l1 = rt.l1
  if (l1 === undefined) return MISS
  const entry = l1.hit(fullKey, rt.config.clock.now())
  const value = entry === undefined ? MISS : l1Value(rt, fullKey, entry, spec)
  if (value instanceof Promise) return value.then((checked) => counted(rt, attributes, spec, operation, checked))
  return counted(rt, attributes, spec, operation, value)
}

function counted(rt: CacheRuntime, attributes: LabelAttributes, spec: KeySpec | undefined, operation: 'get' | 'getOrSet', value: unknown): unknown {
  if (value === MISS) rt.stats.l1Misses++
  else rt.recordL1Hit(attributes, spec, operation)
  return value
}
