import { isSealed, SEALED_PREFIX } from './sealed-value.js'
import type { DriverCapability, DriverWith } from '../driver/driver.js'
import { CAPABILITY_METHODS, requireCapabilities } from '../driver/driver-capabilities.js'
import { InvalidOptionsError, isCacheError, type CacheError } from '../errors.js'
import { dropFlight, queueAfterFailure } from '../operations/cache-invalidation.js'
import { claimKey, fenceAdmits, fenceKeys, releaseClaim } from '../operations/fence.js'
import { indexStoreKeys } from '../operations/subject-index.js'
import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { CacheKit, KitOptions } from './kit-api.js'
import { FlightGroup } from './flight-group.js'
import { announce, l1Stats } from '../tiers/tiers.js'
import { OpenError } from '../encoding/sealer.js'
import { decodeBase64, encodeBase64 } from '../encoding/base64.js'

const LABEL = /^[\w.:-]{1,100}$/

/** A store error the caller expects, carried through the call as its result. */
class ExpectedAnswer {
  constructor(readonly error: CacheError) {}
}

function checkOptions(options: KitOptions<DriverCapability>): void {
  const problems: string[] = []
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('[@cachette/core] cacheKit options are invalid: expected { name, label }')
  if (typeof options.name !== 'string' || options.name.length === 0 || options.name.length > 100) problems.push('name: expected the package name')
  if (typeof options.label !== 'string' || !LABEL.test(options.label)) problems.push("label: expected 1 to 100 letters, digits, '_', '.', ':' or '-'")
  if (options.requires !== undefined && (!Array.isArray(options.requires) || options.requires.some((name) => !Object.hasOwn(CAPABILITY_METHODS, name)))) {
    problems.push(`requires: expected capability names among ${Object.keys(CAPABILITY_METHODS).join(', ')}`)
  }
  if (options.template !== undefined && typeof options.template !== 'string') problems.push('template: expected a string')
  if (problems.length > 0) throw new InvalidOptionsError(`[@cachette/core] cacheKit options are invalid: ${problems.join('; ')}`)
}

/** `@s1 <keyId> <iv> <ciphertext>`: a key id as `encryption.keys` allows, a 96-bit IV in base64url, standard base64. */
const SEALED_FORM = /^@s1 ([A-Za-z0-9_-]{1,32}) ([A-Za-z0-9_-]{16}) ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/

const textEncoder = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The associated data of a sealed field: the store key, the field, the key id and the IV, in a JSON
 * array (no separator a key or a field name could forge), behind a tag of its own so that it never
 * equals the associated data of a whole entry (`storeKey NUL metaJson`).
 */
function fieldAssociatedData(storeKey: string, field: string, k: string, i: string): string {
  return `@s1\u0000${JSON.stringify([storeKey, field, k, i])}`
}

/** Why a sealed field did not open, for the log line (never the key, the field or the value). */
const OPEN_FAILURES = {
  'unknown-key': 'a sealed field names an encryption key this cache does not have; it was read as missing',
  failed: 'a sealed field failed authentication (moved to another key or field, altered, or sealed with another key); it was read as missing',
  'not-encrypted': 'a sealed field was read by a cache without encryption; it was read as missing',
} as const

const INSTRUMENT = /^[A-Za-z][\w.-]{0,99}$/

/** An instrument's name and options, checked: a typo must fail at construction, not in a dashboard. */
function checkInstrument(name: string, options: { readonly description?: unknown; readonly boundaries?: readonly number[] }): string {
  if (typeof name !== 'string' || !INSTRUMENT.test(name)) {
    throw new InvalidOptionsError("[@cachette/core] kit instrument: name must start with a letter and hold up to 100 letters, digits, '_', '.' or '-'")
  }
  if (typeof options?.description !== 'string' || options.description === '') throw new InvalidOptionsError('[@cachette/core] kit instrument: description is required')
  const bounds = options.boundaries
  if (bounds !== undefined && (!Array.isArray(bounds) || bounds.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound <= (bounds[i - 1] as number))))) {
    throw new InvalidOptionsError('[@cachette/core] kit instrument: boundaries must be finite numbers in ascending order')
  }
  return name
}

/**
 * Opens the kit of a cache's runtime (createCache keeps this behind a symbol on the cache, so the
 * `@cachette/core/kit` entry reaches the very runtime the cache uses).
 *
 * @example
 * ```ts
 * Object.defineProperty(cache, OPEN_KIT, { value: (options) => openKit(rt, options) })
 * ```
 */
export function openKit<C extends DriverCapability>(rt: CacheRuntime, options: KitOptions<C>): CacheKit<C> {
  checkOptions(options as KitOptions<DriverCapability>)
  const { name, label, template } = options
  const driver = requireCapabilities(rt.config.driver, options.requires ?? [], name) as DriverWith<C>
  const attributes = rt.metrics.attributesFor(label)
  const where = template === undefined ? undefined : { template }
  const target = (fullKey: string) => ({ fullKey, spec: undefined, attributes })
  const warn = (message: string, operation: string, code: Parameters<CacheKit['warn']>[2], error?: unknown): void =>
    rt.store.warnAs(name, message, operation, code, attributes, where, error === undefined ? undefined : error instanceof Error ? error.name : typeof error)

  const kit: CacheKit<C> = {
    driver,
    capabilities: driver.capabilities,
    enabled: rt.config.enabled,
    get closed() {
      return rt.closed
    },
    deadlineMs: rt.config.deadlineMs,
    label,
    wire: rt.config.wire,
    keyPrefix: rt.config.keyPrefix,
    encrypted: rt.config.sealer !== undefined,
    async seal(storeKey, field, text) {
      if (typeof storeKey !== 'string' || typeof field !== 'string' || typeof text !== 'string') throw new TypeError(`[${name}] kit.seal: expected a store key, a field name and a text`)
      const sealer = rt.config.sealer
      if (sealer === undefined) return text
      const sealed = await sealer.seal(textEncoder.encode(text), (k, i) => fieldAssociatedData(storeKey, field, k, i))
      return `${SEALED_PREFIX}${sealed.k} ${sealed.i} ${encodeBase64(sealed.ciphertext)}`
    },
    async open(storeKey, field, stored) {
      if (typeof stored !== 'string' || !isSealed(stored)) return typeof stored === 'string' ? stored : undefined
      const sealer = rt.config.sealer
      let reason: keyof typeof OPEN_FAILURES = 'failed'
      try {
        if (sealer === undefined) {
          reason = 'not-encrypted'
          throw new OpenError('unknown-key')
        }
        const form = SEALED_FORM.exec(stored)
        if (form === null) throw new OpenError('failed')
        const [, k, i, ciphertext] = form as unknown as [string, string, string, string]
        return strictUtf8.decode(await sealer.open(fieldAssociatedData(storeKey, field, k, i), k, i, decodeBase64(ciphertext)))
      } catch (error) {
        if (reason !== 'not-encrypted' && error instanceof OpenError) reason = error.reason
        rt.stats.decryptFailures++
        rt.metrics.error(attributes, 'get', 'DECRYPT_FAILED')
        warn(OPEN_FAILURES[reason], 'get', 'DECRYPT_FAILED')
        return undefined
      }
    },
    fence: Object.freeze({
      ttlMs: rt.config.fenceMs,
      claim: (storeKey: string) => (rt.config.fenceMs === undefined ? Promise.resolve(undefined) : claimKey(rt, target(storeKey))),
      release: (storeKey: string, claim: string | undefined) => {
        if (claim !== undefined) releaseClaim(rt, target(storeKey), Promise.resolve(claim))
      },
      admits: (since: number) => fenceAdmits(rt, since),
      refused: (): false => {
        rt.stats.fencedWrites++
        return false
      },
    }),
    call(operation, start, callOptions) {
      if (rt.closed) return Promise.reject(rt.store.closedError(operation))
      const expected = callOptions?.expected
      if (expected === undefined || expected.length === 0) return rt.store.call(operation, attributes, undefined, () => start(driver))
      // An expected answer (a WRONGTYPE where a tombstone may stand) is the store answering: it
      // passes through the call as a value, so it is neither counted, logged nor held against the breaker.
      return rt.store
        .call(operation, attributes, undefined, () => start(driver).catch((error: unknown) => (isCacheError(error) && expected.includes(error.code) ? new ExpectedAnswer(error) : Promise.reject(error))))
        .then((result) => (result instanceof ExpectedAnswer ? Promise.reject(result.error) : result))
    },
    hit: () => rt.recordHit(attributes, undefined, 'get'),
    miss: () => rt.recordMiss(attributes, undefined, 'get'),
    corrupted(message, code, reason) {
      rt.stats.decodeFailures++
      rt.metrics.error(attributes, 'get', reason ?? code)
      warn(message, 'get', code)
    },
    warn,
    histogram(instrument, instrumentOptions) {
      const histogram = rt.config.meter.createHistogram(checkInstrument(instrument, instrumentOptions), {
        description: instrumentOptions.description,
        ...(instrumentOptions.unit === undefined ? {} : { unit: instrumentOptions.unit }),
        ...(instrumentOptions.boundaries === undefined ? {} : { advice: { explicitBucketBoundaries: [...instrumentOptions.boundaries] } }),
      })
      return { record: (value, labels) => histogram.record(value, labels === undefined ? attributes.prefix : { ...labels, ...attributes.prefix }) }
    },
    counter(instrument, instrumentOptions) {
      const counter = rt.config.meter.createCounter(checkInstrument(instrument, instrumentOptions), {
        description: instrumentOptions.description,
        ...(instrumentOptions.unit === undefined ? {} : { unit: instrumentOptions.unit }),
      })
      return { add: (value = 1, labels) => counter.add(value, labels === undefined ? attributes.prefix : { ...labels, ...attributes.prefix }) }
    },
    storeKey: (key) => rt.keys.fullKey(typeof key === 'string' ? key : key.key),
    flights: <T>() => new FlightGroup<T>(),
    async invalidate(storeKeys) {
      if (rt.closed) throw rt.store.closedError('invalidate')
      for (const storeKey of storeKeys) dropFlight(rt, storeKey)
      // The cache's own reads of these keys may sit in its memory tier, here and in other processes.
      rt.l1?.invalidateKeys(storeKeys)
      try {
        rt.stats.deletes += await fenceKeys(rt, storeKeys, 'invalidate', attributes, undefined)
        announce(rt, { keys: storeKeys })
        return 'invalidated'
      } catch (error) {
        if (queueAfterFailure(rt, error, () => rt.queue?.addKeys(storeKeys) === true)) return 'queued'
        throw error
      }
    },
    async indexSubjects(storeKeys, subjects, indexOptions) {
      const ttlMs = indexOptions?.ttlMs ?? 0
      if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0) throw new InvalidOptionsError(`[${name}] kit.indexSubjects: ttlMs must be a finite number of ms, 0 or more`)
      await indexStoreKeys(rt, storeKeys, subjects, ttlMs, attributes)
    },
    pending: (storeKey) => rt.queue !== undefined && rt.queue.size > 0 && rt.queue.shadows(storeKey, undefined),
    async retryPending() {
      await rt.queue?.flush()
      return rt.queue?.size ?? 0
    },
    track: (promise) => rt.store.track(promise),
    stats: () => rt.stats.snapshot(rt.flights.size, rt.queue?.size ?? 0, l1Stats(rt)),
  }
  return Object.freeze(kit)
}
