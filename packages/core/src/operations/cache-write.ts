import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Codec } from '../encoding/codec.js'
import type { KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import type { EntryMeta } from '../encoding/envelope.js'
import { InvalidOptionsError } from '../errors.js'
import { fencedSet, type WriteFence } from './fence.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { TagTokens } from './tag-tokens.js'
import { encodeEntry, type EncodedPayload } from '../encoding/wire-format.js'

/**
 * Runs the codec. Synchronous and before any store call, so a value the codec refuses is
 * reported at once.
 *
 * @throws InvalidOptionsError (cause: the codec's error) when the codec cannot encode the value.
 * @example
 * ```ts
 * encodePayload(jsonCodec, { id: 42 }, spec) // { format: 'string', payload: '{"id":42}' }
 * ```
 */
export function encodePayload(codec: Codec<any>, value: unknown, spec: KeySpec | undefined): EncodedPayload {
  try {
    return codec.format === 'bytes' ? { format: 'bytes', payload: codec.encode(value) } : { format: 'string', payload: codec.encode(value) }
  } catch (error) {
    const where = spec === undefined ? 'a string key' : `key '${spec.template}'`
    throw new InvalidOptionsError(`[@cachette/core] the '${codec.name}' codec could not encode the value for ${where}`, { cause: error })
  }
}

/** A write, resolved once encoded and checked; `store()` never rejects. */
export interface PreparedWrite {
  readonly fullKey: string
  readonly spec: KeySpec | undefined
  readonly attributes: LabelAttributes
  readonly encoded: EncodedPayload
  /** The store TTL (with a grace period: TTL + grace). */
  readonly ttlMs: number
  readonly tags: readonly string[]
  /** Epoch ms the entry stays fresh until (written as `f`), for grace and early refresh; absent for a plain entry. */
  readonly freshUntil?: number
  /** How long the loader took, ms (written as `d`), for early refresh. */
  readonly loadMs?: number
}

/**
 * Stores a prepared write: tag tokens (already requested, or fetched now), envelope (or the bare
 * payload, `wire: 'plain'`), SET with PX.
 * With a `fence` (a getOrSet load), only if the key still holds what the load observed.
 * Resolves true when stored, false when the store failed (counted and logged by rt.call) or the
 * fence refused the write (counted).
 *
 * @example
 * ```ts
 * const stored = await storeEntry(rt, tagTokens, { fullKey, spec, attributes, encoded, ttlMs: 600_000, tags: [] })
 * ```
 */
export async function storeEntry(
  rt: CacheRuntime,
  tagTokens: TagTokens,
  write: PreparedWrite,
  tokens?: Promise<Record<string, string>>,
  fence?: WriteFence,
): Promise<boolean> {
  try {
    let meta: EntryMeta | undefined
    if (write.tags.length > 0) meta = { t: await (tokens ?? tagTokens.ensure(write.tags, write.attributes, write.spec)) }
    if (write.freshUntil !== undefined) meta = { t: meta?.t, f: write.freshUntil, d: write.loadMs === undefined ? undefined : Math.round(write.loadMs) }
    const data: DriverValue = encodeEntry(rt.config.wire, write.encoded, meta)
    const driver = rt.config.driver
    if (fence === undefined) await rt.call('set', write.attributes, write.spec, () => driver.set(write.fullKey, data, { ttlMs: write.ttlMs }))
    else if (!(await fencedSet(rt, write, data, write.ttlMs, fence))) return false
    rt.stats.sets++
    if (rt.events.active) rt.events.emit('set', write.attributes, write.spec, { operation: 'set' })
    // The store took a write: if invalidations are waiting for it, retry them now.
    if (rt.queue !== undefined && rt.queue.size > 0) rt.queue.kick()
    return true
  } catch {
    return false
  }
}
