import type { Codec } from './codec.js'
import type { EntryMeta } from './envelope.js'
import type { StandardSchemaV1 } from '../keys/standard-schema.js'

/**
 * Decoded values shared between hits (`createCache({ shareValues })`). A hit normally decodes the
 * stored text for every caller (`JSON.parse`: 5 µs for a 1 KB record, 0.5 ms for a 100 KB FHIR
 * bundle on the bench machine), so each caller owns its copy. With sharing on, the first hit on
 * an entry decodes it, deep-freezes the value and keeps it next to the text it came from; later
 * hits whose text is the same get that very value back.
 *
 * The store stays the authority: every hit still reads the entry, and the kept value is used only
 * when the text just read equals the text it was decoded from (a pointer comparison when the
 * store hands back the same string, as the memory driver does; a byte comparison otherwise, far
 * cheaper than decoding). Tags, freshness and the invalidation queue are checked on every hit as
 * before. Only text entries are shared (codecs with `format: 'bytes'` decode every time).
 */

interface SharedEntry {
  readonly raw: string
  readonly codec: Codec<unknown>
  readonly schema: StandardSchemaV1 | undefined
  readonly value: unknown
  readonly meta: EntryMeta | undefined
}

/** A decoded value and its envelope metadata, as readEntry needs them. */
export interface SharedValue {
  readonly value: unknown
  readonly meta: EntryMeta | undefined
}

/**
 * Freezes `value` and every plain object and array it holds, so a caller cannot change what other
 * callers receive. Other objects (a Map from a custom codec, a class instance) are frozen
 * themselves but not walked into. Walks with its own stack, not by recursion: `JSON.parse`
 * accepts any depth, so a stored entry nested 20,000 levels deep must not overflow the call stack.
 *
 * @example
 * ```ts
 * const patient = deepFreeze(JSON.parse(text)) // patient.adresse.ville = 'x' now throws in strict mode
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  Object.freeze(value)
  const pending: object[] = [value]
  let current: object | undefined
  while ((current = pending.pop()) !== undefined) {
    let children: readonly unknown[] | undefined
    if (Array.isArray(current)) {
      children = current
    } else {
      const proto: unknown = Object.getPrototypeOf(current)
      if (proto === Object.prototype || proto === null) children = Object.values(current)
    }
    if (children === undefined) continue
    for (const child of children) {
      // Frozen before it is pushed, so a value reached twice (or a cycle) is walked once.
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) {
        Object.freeze(child)
        pending.push(child)
      }
    }
  }
  return value
}

/** The shared values of one cache: at most `maxEntries`, the oldest dropped first. */
export class SharedValues {
  private readonly entries = new Map<string, SharedEntry>()

  constructor(readonly maxEntries: number) {}

  /** How many values are kept. */
  get size(): number {
    return this.entries.size
  }

  /**
   * The value decoded from `raw` for `fullKey` by the same codec and schema, if kept.
   *
   * @example
   * ```ts
   * const shared = values.get(fullKey, raw, codec, spec?.schema)
   * ```
   */
  get(fullKey: string, raw: string, codec: Codec<unknown>, schema: StandardSchemaV1 | undefined): SharedValue | undefined {
    const entry = this.entries.get(fullKey)
    if (entry === undefined || entry.raw !== raw || entry.codec !== codec || entry.schema !== schema) return undefined
    return entry
  }

  /**
   * Deep-freezes `value` and keeps it as what `raw` decodes to; returns the frozen value.
   *
   * @example
   * ```ts
   * value = values.keep(fullKey, raw, codec, spec?.schema, value, meta)
   * ```
   */
  keep(fullKey: string, raw: string, codec: Codec<unknown>, schema: StandardSchemaV1 | undefined, value: unknown, meta: EntryMeta | undefined): unknown {
    const frozen = deepFreeze(value)
    // Delete first so a replaced entry moves to the young end of the insertion order.
    this.entries.delete(fullKey)
    this.entries.set(fullKey, { raw, codec, schema, value: frozen, meta })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
    return frozen
  }

  /** Forgets one key (its entry was deleted from the store). */
  forget(fullKey: string): void {
    this.entries.delete(fullKey)
  }

  /** Forgets the keys `matches` accepts (a deletePattern). */
  forgetWhere(matches: (fullKey: string) => boolean): void {
    for (const fullKey of this.entries.keys()) if (matches(fullKey)) this.entries.delete(fullKey)
  }

  /** Forgets everything (the cache was closed). */
  clear(): void {
    this.entries.clear()
  }
}
