import type { ResolvedCacheConfig } from '../options/cache-options.js'
import type { Codec } from '../encoding/codec.js'
import { KEY_SPEC, type Key, type KeySpec } from './define-key.js'
import { InvalidKeyError, InvalidOptionsError } from '../errors.js'
import type { CacheMetrics, LabelAttributes } from '../observability/metrics.js'
import { hasResilienceOptions, mergeLoadPolicy, type LoadPolicy, type ResilienceOptions } from '../options/resilience-options.js'
import { applyJitter, type ParsedTtl } from '../options/ttl.js'
import type { StoreCalls } from '../store-calls/store-calls.js'

// Tags become parts of store key names: the same characters as key parameters are refused, but ':' is allowed.
const UNSAFE_TAG = /[*?[\]\\{}\s\p{Cc}\p{Cs}]/u
/** Data subjects one entry may name at most (the key definition's and the call's together). */
export const MAX_SUBJECTS_PER_ENTRY = 16

/**
 * What a key means to one cache: its store key, its definition, its metrics attributes, codec,
 * TTL, tags and load policy. What depends only on the definition is worked out once per
 * definition and kept, so a hit builds nothing.
 */
export class KeyResolver {
  /** The metrics attributes of calls on string keys, which are also those of cache-wide work. */
  readonly stringKeyAttributes: LabelAttributes
  private readonly specAttributes = new WeakMap<KeySpec, LabelAttributes>()
  private readonly specPolicies = new WeakMap<KeySpec, LoadPolicy>()

  /**
   * @param store where a clamped TTL is counted and logged; its `stringKeyAttributes` are those of string keys
   * @example
   * ```ts
   * const keys = new KeyResolver(config, metrics, store)
   * ```
   */
  constructor(
    private readonly config: ResolvedCacheConfig,
    private readonly metrics: CacheMetrics,
    private readonly store: Pick<StoreCalls, 'stats' | 'stringKeyAttributes' | 'warn'>,
  ) {
    this.stringKeyAttributes = store.stringKeyAttributes
  }

  /** The store key: cache prefix + the key. */
  fullKey(key: Key<unknown> | string): string {
    return this.config.keyPrefix + (typeof key === 'string' ? key : key.key)
  }

  /** The definition a key was built by; undefined for a string key. */
  specOf(key: Key<unknown> | string): KeySpec | undefined {
    if (typeof key === 'string') return undefined
    const spec = (key as Key<unknown> | undefined)?.[KEY_SPEC]
    if (spec === undefined) throw new InvalidKeyError('[@cachette/core] expected a key built by a key definition, or a string')
    return spec
  }

  /** Metrics attributes of a key family, built once per definition. */
  attributesOf(spec: KeySpec | undefined): LabelAttributes {
    if (spec === undefined) return this.stringKeyAttributes
    let attributes = this.specAttributes.get(spec)
    if (attributes === undefined) {
      const label = [this.config.prefix, spec.label].filter((part) => part !== '').join(':') || '(none)'
      attributes = this.metrics.attributesFor(label)
      this.specAttributes.set(spec, attributes)
    }
    return attributes
  }

  /** The key definition's codec, else the cache's. */
  codecOf(spec: KeySpec | undefined): Codec<any> {
    return spec?.codec ?? this.config.codec
  }

  /**
   * The TTL of a write: the call's, else the key's, else the default; clamped to maxTtl (counted),
   * then jittered (which only shortens it).
   */
  ttlMs(spec: KeySpec | undefined, callTtl: ParsedTtl | undefined, operation: string, attributes: LabelAttributes): number {
    let ms = this.resolveTtl(callTtl) ?? this.resolveTtl(spec?.ttl) ?? this.config.defaultTtlMs
    if (ms > this.config.maxTtlMs) {
      this.store.stats.ttlClamped++
      this.store.warn('a TTL above maxTtl was clamped to maxTtl', operation, 'INVALID_DURATION', attributes, spec)
      ms = this.config.maxTtlMs
    }
    return applyJitter(ms, this.config.jitter)
  }

  private resolveTtl(ttl: ParsedTtl | undefined): number | undefined {
    if (ttl === undefined) return undefined
    if (ttl.ms !== undefined) return ttl.ms
    const ms = this.config.policiesMs.get(ttl.policy)
    if (ms === undefined) {
      throw new InvalidOptionsError(`[@cachette/core] unknown TTL policy '${ttl.policy}': add it to createCache({ ttls }) or use a duration`)
    }
    return ms
  }

  /** The tags of a write: the key definition's and the call's, checked, without duplicates. */
  tagsOf(key: Key<unknown> | string, spec: KeySpec | undefined, callTags: readonly string[] | undefined): readonly string[] {
    const fromKey = spec?.tags === undefined || typeof key === 'string' ? undefined : spec.tags(key.params ?? {})
    if (fromKey === undefined && (callTags === undefined || callTags.length === 0)) return []
    const tags = new Set<string>()
    for (const list of [fromKey, callTags]) {
      if (list === undefined) continue
      if (!Array.isArray(list)) throw new InvalidOptionsError('[@cachette/core] tags must be an array of strings')
      for (const tag of list) tags.add(this.checkTag(tag, spec))
    }
    return [...tags]
  }

  /**
   * The data subjects of a write: the key definition's and the call's, checked, without
   * duplicates, at most {@link MAX_SUBJECTS_PER_ENTRY}. Error messages never quote a subject.
   */
  subjectsOf(key: Key<unknown> | string, spec: KeySpec | undefined, callSubjects: readonly string[] | undefined): readonly string[] {
    const fromKey = spec?.subjects === undefined || typeof key === 'string' ? undefined : spec.subjects(key.params ?? {})
    if (fromKey === undefined && (callSubjects === undefined || (Array.isArray(callSubjects) && callSubjects.length === 0))) return []
    const subjects = new Set<string>()
    for (const list of [fromKey, callSubjects]) {
      if (list === undefined) continue
      if (!Array.isArray(list)) throw new InvalidOptionsError('[@cachette/core] subjects must be an array of strings')
      for (const subject of list) subjects.add(this.checkSubject(subject, spec))
    }
    if (subjects.size > MAX_SUBJECTS_PER_ENTRY) {
      const where = spec === undefined ? '' : ` (key '${spec.template}')`
      throw new InvalidKeyError(`[@cachette/core] an entry${where} may name at most ${MAX_SUBJECTS_PER_ENTRY} data subjects`)
    }
    return [...subjects]
  }

  /** A data subject as given, or an InvalidKeyError (the rules of tags; the message never quotes it). */
  checkSubject(subject: unknown, spec: KeySpec | undefined): string {
    const where = spec === undefined ? '' : ` (key '${spec.template}')`
    if (typeof subject !== 'string' || subject.length === 0) throw new InvalidKeyError(`[@cachette/core] a data subject${where} must be a non-empty string`)
    if (subject.length > 512) throw new InvalidKeyError(`[@cachette/core] a data subject${where} is longer than 512 characters`)
    if (UNSAFE_TAG.test(subject)) {
      throw new InvalidKeyError(`[@cachette/core] a data subject${where} holds a character subjects may not contain (a glob character * ? [ ] \\, a brace, whitespace or a control character)`)
    }
    return subject
  }

  /** A tag as given, or an InvalidKeyError when it is empty or holds a character a store key name may not. */
  checkTag(tag: unknown, spec: KeySpec | undefined): string {
    const where = spec === undefined ? '' : ` (key '${spec.template}')`
    if (typeof tag !== 'string' || tag.length === 0) throw new InvalidKeyError(`[@cachette/core] a tag${where} must be a non-empty string`)
    if (UNSAFE_TAG.test(tag)) {
      throw new InvalidKeyError(`[@cachette/core] a tag${where} holds a character tags may not contain (a glob character * ? [ ] \\, a brace, whitespace or a control character)`)
    }
    return tag
  }

  /** The load policy of a key family: the cache's, with the key definition's options merged once. */
  policyOf(spec: KeySpec | undefined): LoadPolicy {
    if (spec?.resilience === undefined) return this.config.loadPolicy
    let policy = this.specPolicies.get(spec)
    if (policy === undefined) {
      policy = mergeLoadPolicy(this.config.loadPolicy, spec.resilience, `defineKey('${spec.template}') options`, true)
      this.specPolicies.set(spec, policy)
    }
    return policy
  }

  /** The load policy of one call: the key's, with the call's options merged (validated) when it sets any. */
  loadPolicy(spec: KeySpec | undefined, options: ResilienceOptions | undefined): LoadPolicy {
    const base = this.policyOf(spec)
    if (options === undefined || !hasResilienceOptions(options)) return base
    return mergeLoadPolicy(base, options, 'call options')
  }
}
