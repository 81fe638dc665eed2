import type { StoreCalls } from './store-calls.js'
import type { KeySpec } from '../keys/define-key.js'
import type { CacheOperation, LabelAttributes } from '../observability/metrics.js'

/**
 * Reads several keys as text: one MGET, or parallel GETs where a batch may not span hash slots
 * (a cluster). Each store call goes through `store.call` (deadline, breaker, metrics).
 *
 * @example
 * ```ts
 * const values = await readKeys(rt.store, ['identity:patient:1', 'identity:patient:2'], 'get', attributes, spec)
 * ```
 */
export function readKeys(store: StoreCalls, keys: readonly string[], operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<(string | null)[]> {
  const driver = store.config.driver
  if (keys.length === 1 || driver.capabilities.crossSlotBatch) return store.call(operation, attributes, spec, () => driver.mget(keys))
  return Promise.all(keys.map((key) => store.call(operation, attributes, spec, () => driver.get(key))))
}
