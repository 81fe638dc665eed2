import type { KeySpec } from '../keys/define-key.js'
import { InvalidOptionsError } from '../errors.js'
import type { ResilienceOptions } from '../options/resilience-options.js'

/**
 * What `wire: 'plain'` refuses. A plain entry is the codec's payload alone, so nothing that
 * writes envelope metadata can work: tags (`t`), grace / stale-if-error and stale-while-revalidate
 * (`f`), early refresh (`f` and `d`). Each is refused with an InvalidOptionsError where it enters:
 * createCache for the cache's own options, and every get / has / set / getOrSet for the key
 * definition's options and the call's options, hit or miss alike, so a refused option never
 * passes unnoticed on a warm cache and then fails on the first miss. The other resilience options
 * (graceBackoff, loaderTimeout, lock) write nothing into the entry and are allowed.
 */

/** The options `wire: 'plain'` refuses, as a call or key definition may give them. */
export type EnvelopeOptions = ResilienceOptions & { readonly tags?: unknown }

/**
 * The names of the options in `options` that need envelope metadata, or undefined when there
 * are none (no array is allocated then: this runs on the hit path of a plain cache).
 *
 * @example
 * ```ts
 * envelopeOptionsIn({ grace: '1h', lock: true }) // ['grace']
 * envelopeOptionsIn({ ttl: '5m' })                // undefined
 * ```
 */
export function envelopeOptionsIn(options: EnvelopeOptions): string[] | undefined {
  let names: string[] | undefined
  // Durations are positive, so any grace but `false` is a grace period; `tags: []` writes none.
  if (options.grace !== undefined && options.grace !== false) (names ??= []).push('grace')
  if (options.staleWhileRevalidate === true) (names ??= []).push('staleWhileRevalidate')
  if (options.earlyRefresh !== undefined && options.earlyRefresh !== false) (names ??= []).push('earlyRefresh')
  const tags = options.tags
  if (tags !== undefined && !(Array.isArray(tags) && tags.length === 0)) (names ??= []).push('tags')
  return names
}

/**
 * One problem line: the option, and why it is refused.
 *
 * @example
 * ```ts
 * needsEnvelope('grace') // "grace: needs wire: 'cachette' (...)"
 * ```
 */
export function needsEnvelope(option: string): string {
  return `${option}: needs wire: 'cachette' (wire: 'plain' stores the codec's payload alone, with no room for the metadata it records)`
}

/** Key definitions already checked: what they ask for never changes (a spec is frozen). */
const acceptedKeys = new WeakSet<KeySpec>()

function refuse(where: string, names: readonly string[]): never {
  throw new InvalidOptionsError(`[@cachette/core] ${where} are invalid with wire: 'plain': ${names.map(needsEnvelope).join('; ')}`)
}

/**
 * Refuses, in a plain cache, a key definition or call that asks for what needs envelope metadata.
 *
 * @throws InvalidOptionsError naming each such option and where it was given.
 * @example
 * ```ts
 * if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, options)
 * ```
 */
export function refuseEnvelopeUse(spec: KeySpec | undefined, options: EnvelopeOptions | undefined): void {
  if (spec !== undefined && (spec.tags !== undefined || spec.resilience !== undefined) && !acceptedKeys.has(spec)) {
    const names = spec.resilience === undefined ? undefined : envelopeOptionsIn(spec.resilience)
    if (spec.tags !== undefined) refuse(`defineKey('${spec.template}') options`, [...(names ?? []), 'tags'])
    if (names !== undefined) refuse(`defineKey('${spec.template}') options`, names)
    acceptedKeys.add(spec)
  }
  if (options === undefined) return
  const names = envelopeOptionsIn(options)
  if (names !== undefined) refuse('call options', names)
}

/**
 * The error of `invalidateTags()` in a plain cache: no entry there carries tags, so resolving
 * would report an invalidation that invalidated nothing.
 *
 * @example
 * ```ts
 * if (rt.config.wire === 'plain') return Promise.reject(invalidateTagsRefused())
 * ```
 */
export function invalidateTagsRefused(): InvalidOptionsError {
  return new InvalidOptionsError(`[@cachette/core] invalidateTags: needs wire: 'cachette' (with wire: 'plain' no entry carries tags, so there is nothing to invalidate)`)
}
