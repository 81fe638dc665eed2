import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Codec } from '../encoding/codec.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { DriverValue } from '../driver/driver.js'
import type { EntryMeta } from '../encoding/envelope.js'
import { InvalidOptionsError } from '../errors.js'
import { fencedSet, type WriteFence } from './fence.js'
import type { LabelAttributes } from '../observability/metrics.js'
import { encodeEntry, type EncodedPayload } from '../encoding/wire-format.js'
import type { WriteOptions } from './loader-context.js'
import type { LoadPolicy } from '../options/resilience-options.js'
import { parseTtlSpec, type ParsedTtl } from '../options/ttl.js'
import { timedTtl } from '../resilience/grace.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { compressPayload, reachesThreshold, type CompressedPayload, type ResolvedCompression } from '../encoding/payload-compression.js'
import { announce, keepInL1 } from '../tiers/tiers.js'
import { encodeBase64 } from '../encoding/base64.js'
import { sealEntry } from '../encoding/sealed-entry.js'
import { planSubjects, writeWithSubjects, type SubjectWrite } from './subject-index.js'

const textEncoder = new TextEncoder()

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

/**
 * A write before its value exists: where it goes, and its tags and TTL, resolved from the key
 * definition and the call and checked.
 */
export interface WriteTarget {
  readonly fullKey: string
  readonly spec: KeySpec | undefined
  readonly attributes: LabelAttributes
  /** The call's options, for the load policy when {@link prepareWrite} is not given one. */
  readonly options: WriteOptions | undefined
  readonly tags: readonly string[]
  /** The entry's TTL, ms: clamped to maxTtl and jittered, before any grace period. */
  readonly ttlMs: number
  /** The memory tier's mark when the write was planned (before the loader ran), if there is a memory tier. */
  readonly l1Mark?: number
  /** The data subjects it names (`cache.forget()`); absent when it names none. */
  readonly subjects?: SubjectWrite
}

/** What a getOrSet load adds to its write. */
export interface LoadResult {
  /** The policy the load ran under (grace, early refresh). */
  readonly policy: LoadPolicy
  /** The TTL its loader chose (`ctx.setTtl()`), replacing the target's; undefined when it chose none. */
  readonly ttl: ParsedTtl | undefined
  /** How long the loader took, ms (written as `d` for early refresh). */
  readonly loadMs: number
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
  /** See {@link WriteTarget.l1Mark}. */
  readonly l1Mark?: number
  /** See {@link WriteTarget.subjects}. */
  readonly subjects?: SubjectWrite
}

/**
 * The first half of every write, before its value exists: its tags (the key definition's and the
 * call's, checked) and its TTL (the call's, the key's or the default, clamped and jittered).
 * getOrSet runs it before its loader, so a bad tag or an unknown TTL policy throws before the
 * loader runs and the tag tokens can be asked for meanwhile; set() right before {@link prepareWrite}.
 *
 * @throws InvalidKeyError for a bad tag; InvalidOptionsError for an unknown TTL policy.
 * @example
 * ```ts
 * const target = planWrite(rt, key, rt.keys.fullKey(key), spec, attributes, { ttl: '10m', tags: ['ej:1'] }, 'set')
 * ```
 */
export function planWrite(
  rt: CacheRuntime,
  key: Key<unknown> | string,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  options: WriteOptions | undefined,
  operation: 'set' | 'getOrSet',
): WriteTarget {
  const tags = rt.keys.tagsOf(key, spec, options?.tags)
  const subjects = planSubjects(rt, key, spec, options?.subjects)
  const ttlMs = rt.keys.ttlMs(spec, options?.ttl === undefined ? undefined : parseTtlSpec(options.ttl), operation, attributes)
  const l1 = rt.l1
  const target: WriteTarget = l1 === undefined ? { fullKey, spec, attributes, options, tags, ttlMs } : { fullKey, spec, attributes, options, tags, ttlMs, l1Mark: l1.mark() }
  return subjects === undefined ? target : { ...target, subjects }
}

/**
 * The second half of every write, once the value exists: the TTL a loader chose, the codec, and
 * the grace period (an entry timed for grace or early refresh is stored for TTL + grace and
 * records when it stops being fresh). The load policy is the load's, else the key's and the
 * call's, resolved after encoding (a value the codec refuses is reported first).
 *
 * @throws InvalidOptionsError when the codec cannot encode the value, or the loader's TTL policy or the call's options are invalid.
 * @example
 * ```ts
 * await storeEntry(rt, prepareWrite(rt, target, patient))
 * const write = prepareWrite(rt, target, value, { policy, ttl: context.ttl, loadMs })
 * ```
 */
export function prepareWrite(rt: CacheRuntime, target: WriteTarget, value: unknown, load?: LoadResult): PreparedWrite {
  const { fullKey, spec, attributes, tags, l1Mark } = target
  const ttlMs = load?.ttl === undefined ? target.ttlMs : rt.keys.ttlMs(spec, load.ttl, 'getOrSet', attributes)
  const encoded = encodePayload(rt.keys.codecOf(spec), value, spec)
  const policy = load?.policy ?? rt.keys.loadPolicy(spec, target.options)
  // With a memory tier every entry records when it stops being fresh: other processes' memory
  // tiers must not keep it longer than the store does.
  const subjects = target.subjects === undefined ? undefined : { subjects: target.subjects }
  if (!policy.timed && rt.l1 === undefined) return { fullKey, spec, attributes, encoded, ttlMs, tags, ...subjects }
  const { storeTtlMs, freshUntil } = timedTtl(ttlMs, policy.graceMs, rt.config.maxTtlMs, rt.config.clock.now())
  return { fullKey, spec, attributes, encoded, ttlMs: storeTtlMs, tags, freshUntil, loadMs: load?.loadMs, l1Mark, ...subjects }
}

/**
 * `cache.set`: stores a value; true when stored, false when the store failed (counted and logged),
 * the cache is disabled or closed, or the value is `undefined` (never cached).
 *
 * @throws InvalidKeyError for a bad tag; InvalidOptionsError when the codec cannot encode the value, the TTL policy is unknown
 * or (`wire: 'plain'`) the key or call asks for envelope metadata.
 * @example
 * ```ts
 * await setValue(rt, patientKey({ id: 42 }), patient, { ttl: '10m', tags: ['ej:1'] })
 * ```
 */
export async function setValue(rt: CacheRuntime, key: Key<unknown> | string, value: unknown, options: WriteOptions | undefined): Promise<boolean> {
  const spec = rt.keys.specOf(key)
  if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, options)
  if (value === undefined || !rt.config.enabled || rt.closed) return false
  const attributes = rt.keys.attributesOf(spec)
  const target = planWrite(rt, key, rt.keys.fullKey(key), spec, attributes, options, 'set')
  return storeEntry(rt, prepareWrite(rt, target, value))
}

/**
 * Stores a prepared write: tag tokens (already requested, or fetched now), compression of a large
 * payload (`compression`), envelope (or the bare payload, `wire: 'plain'`), SET with PX.
 * With a `fence` (a getOrSet load), only if the key still holds what the load observed.
 * Resolves true when stored, false when the store failed (counted and logged by `rt.store.call`) or
 * the fence refused the write (counted).
 *
 * @example
 * ```ts
 * const stored = await storeEntry(rt, { fullKey, spec, attributes, encoded, ttlMs: 600_000, tags: [] })
 * ```
 */
export function storeEntry(rt: CacheRuntime, write: PreparedWrite, tokens?: Promise<Record<string, string>>, fence?: WriteFence): Promise<boolean> {
  const subjects = write.subjects
  if (subjects === undefined) return storeEntryNow(rt, write, tokens, fence, undefined)
  // Indexed under its subjects before the entry is written (see subject-index.ts).
  return writeWithSubjects(rt, write, subjects, (indexed) => storeEntryNow(rt, write, tokens, fence, indexed))
}

async function storeEntryNow(rt: CacheRuntime, write: PreparedWrite, tokens: Promise<Record<string, string>> | undefined, fence: WriteFence | undefined, indexed: Promise<void> | undefined): Promise<boolean> {
  try {
    let meta: EntryMeta | undefined
    if (write.tags.length > 0) meta = { t: await (tokens ?? rt.tagTokens.ensure(write.tags, write.attributes, write.spec)) }
    if (write.freshUntil !== undefined) meta = { t: meta?.t, f: write.freshUntil, d: write.loadMs === undefined ? undefined : Math.round(write.loadMs) }
    let encoded = write.encoded
    // Below the threshold (and with compression off) nothing is awaited or allocated here.
    const compression = rt.config.compression
    let packed: CompressedPayload | undefined
    if (compression !== undefined && reachesThreshold(encoded, compression.thresholdBytes)) {
      packed = await compressWithFallback(rt, write, compression)
      if (packed !== undefined) {
        encoded = packed.encoded
        // Plain mode records nothing: gzip's magic bytes are the flag.
        if (rt.config.wire === 'cachette') meta = { ...meta, ...packed.meta }
      }
    }
    const sealer = rt.config.sealer
    if (sealer !== undefined) {
      // Compress, then encrypt: the ciphertext of what an unencrypted entry would hold.
      const plaintext = encoded.format === 'bytes' ? encoded.payload : textEncoder.encode(encoded.payload)
      const sealed = await sealEntry(sealer, write.fullKey, plaintext, { ...meta, x: rt.config.clock.now() + write.ttlMs })
      encoded = encoded.format === 'bytes' ? { format: 'bytes', payload: sealed.ciphertext } : { format: 'string', payload: encodeBase64(sealed.ciphertext) }
      meta = sealed.meta
    }
    const data: DriverValue = encodeEntry(rt.config.wire, encoded, meta)
    const driver = rt.config.driver
    if (indexed !== undefined) await indexed
    if (fence === undefined) await rt.store.call('set', write.attributes, write.spec, () => driver.set(write.fullKey, data, { ttlMs: write.ttlMs }))
    else if (!(await fencedSet(rt, write, data, write.ttlMs, fence))) return false
    rt.stats.sets++
    if (packed !== undefined) {
      rt.stats.compressedWrites++
      rt.stats.compressionSavedBytes += packed.savedBytes
    }
    if (rt.events.active) rt.events.emit('set', write.attributes, write.spec, { operation: 'set' })
    // The store took a write: if invalidations are waiting for it, retry them now.
    if (rt.queue !== undefined && rt.queue.size > 0) rt.queue.kick()
    if (rt.l1 !== undefined) wroteThrough(rt, write, meta)
    return true
  } catch {
    // The store may hold either value now (a timeout is not a refusal): no tier keeps the old one.
    if (rt.l1 !== undefined) {
      rt.l1.invalidateKeys([write.fullKey])
      announce(rt, { keys: [write.fullKey] })
    }
    return false
  }
}

/**
 * The compressed payload, or undefined to store it as it is: when compressing does not make it
 * smaller, or the runtime's compressor failed (logged: the value is still worth caching).
 */
async function compressWithFallback(rt: CacheRuntime, write: PreparedWrite, compression: ResolvedCompression): Promise<CompressedPayload | undefined> {
  try {
    return await compressPayload(compression, write.encoded)
  } catch (error) {
    rt.store.warn('a value could not be compressed; it was stored uncompressed', 'set', 'UNSUPPORTED', write.attributes, write.spec, error instanceof Error ? error.name : undefined)
    return undefined
  }
}

/** After a write reached the store: this process's memory tier keeps it, the others drop their copy. */
function wroteThrough(rt: CacheRuntime, write: PreparedWrite, meta: EntryMeta | undefined): void {
  // Never a shared value here: the caller may still change the object it handed to set().
  if (write.l1Mark !== undefined) keepInL1(rt, write.fullKey, write.spec, write.encoded.payload, meta, write.l1Mark, rt.config.clock.now() + write.ttlMs)
  announce(rt, { keys: [write.fullKey] })
}
