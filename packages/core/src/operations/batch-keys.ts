import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { LabelAttributes } from '../observability/metrics.js'
import { InvalidKeyError } from '../errors.js'

/** One distinct key of a batch, resolved once. */
export interface BatchKey {
  /** The key as the caller gave it (first occurrence). */
  readonly key: Key<unknown> | string
  readonly fullKey: string
  readonly spec: KeySpec | undefined
  readonly attributes: LabelAttributes
}

/** The keys of a batch call, deduplicated: `positions[i]` is the index in `unique` of input key `i`. */
export interface KeyBatch {
  readonly unique: readonly BatchKey[]
  readonly positions: readonly number[]
}

/**
 * Resolves the keys of getMany / getOrSetMany: each key's definition, store key and metrics
 * attributes, once per distinct store key (a key given twice is read and loaded once, and
 * answered at both places).
 *
 * @throws InvalidKeyError when `keys` is not an array, or one of them is neither a string nor a key built by a key definition (the message names no key).
 * @example
 * ```ts
 * const { unique, positions } = resolveBatch(rt, [patientKey({ id: 1 }), patientKey({ id: 1 })], 'getMany')
 * // unique.length === 1, positions = [0, 0]
 * ```
 */
export function resolveBatch(rt: CacheRuntime, keys: readonly (Key<unknown> | string)[], operation: string): KeyBatch {
  if (!Array.isArray(keys)) throw new InvalidKeyError(`[@cachette/core] ${operation} expects an array of keys`)
  const resolver = rt.keys
  const unique: BatchKey[] = []
  const positions: number[] = new Array<number>(keys.length)
  const seen = new Map<string, number>()
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as Key<unknown> | string
    const spec = resolver.specOf(key)
    const fullKey = resolver.fullKey(key)
    let index = seen.get(fullKey)
    if (index === undefined) {
      index = unique.length
      seen.set(fullKey, index)
      unique.push({ key, fullKey, spec, attributes: resolver.attributesOf(spec) })
    }
    positions[i] = index
  }
  return { unique, positions }
}

/**
 * The answers of a batch in the caller's order, from the answers of its distinct keys.
 *
 * @example
 * ```ts
 * inInputOrder(batch, [patient]) // [patient, patient] for a key given twice
 * ```
 */
export function inInputOrder(batch: KeyBatch, values: readonly unknown[]): unknown[] {
  return batch.positions.map((index) => values[index])
}
