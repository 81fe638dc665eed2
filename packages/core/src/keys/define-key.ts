import type { Codec } from '../encoding/codec.js'
import { InvalidKeyError, InvalidOptionsError } from '../errors.js'
import { escapeGlob } from './glob.js'
import { compileParam, type ParamEncoder, type ParamMode, type ParamValue, type ScalarParam } from './key-params.js'
import { parseTemplate, type TemplateParamNames, type TemplatePart } from './key-template.js'
import { DEFAULT_LOAD_POLICY, hasResilienceOptions, mergeLoadPolicy, resilienceShape, type ResilienceOptions } from '../options/resilience-options.js'
import type { StandardSchemaV1 } from './standard-schema.js'
import { parseTtlSpec, type ParsedTtl, type TtlSpec } from '../options/ttl.js'

/** Types only: the phantom property that carries a key's value type. Never present at run time. */
export declare const valueType: unique symbol

/** Where a key object keeps its definition; a symbol so it never shows up in JSON or spreads. */
export const KEY_SPEC: unique symbol = Symbol.for('@cachette/core.KeySpec')

/** The modes of a template's parameters (see {@link ParamMode}); every entry is optional. */
export type ParamSpecs<Template extends string> = { readonly [Name in TemplateParamNames<Template>]?: ParamMode }

/**
 * The parameters a template needs, with the value type each mode accepts.
 *
 * @example
 * ```ts
 * type P = KeyParams<'fhir:export:{type}:ej:{ejId}'> // { readonly type: ScalarParam; readonly ejId: ScalarParam }
 * ```
 */
export type KeyParams<Template extends string, Specs = {}> = {
  readonly [Name in TemplateParamNames<Template>]: Name extends keyof Specs ? ParamValue<Specs[Name]> : ScalarParam
}

/** What a key definition carries at run time. Internal: read by the cache, not by applications. */
export interface KeySpec {
  readonly template: string
  readonly parts: readonly TemplatePart[]
  readonly encoders: ReadonlyMap<string, ParamEncoder>
  /** Metrics and log label: `label` option, else the template's static head (may be ''). */
  readonly label: string
  readonly ttl: ParsedTtl | undefined
  readonly schema: StandardSchemaV1 | undefined
  readonly codec: Codec<any> | undefined
  readonly tags: ((params: any) => readonly string[]) | undefined
  /** The data subjects of each entry, from its parameters (`cache.forget()`); absent when the definition names none. */
  readonly subjects?: ((params: any) => readonly string[]) | undefined
  /** The definition's grace, timeouts, early refresh and lock options, validated; undefined when it sets none. */
  readonly resilience: ResilienceOptions | undefined
}

/**
 * A bound key: what `cache.get/set/getOrSet/has/invalidate` take. `T` is the cached value's type.
 *
 * @example
 * ```ts
 * const key: Key<Patient> = patientKey({ id: 42 })
 * key.key // 'patient:42' (the cache adds its prefix: 'identity:patient:42')
 * ```
 */
export interface Key<T = unknown> {
  /** The key below the cache prefix, parameters validated and encoded. */
  readonly key: string
  /** The parameters it was built from (kept for `tags(params)`). */
  readonly params: Readonly<Record<string, unknown>> | undefined
  /** @internal */
  readonly [KEY_SPEC]: KeySpec
  /** Types only: the value type. */
  readonly [valueType]?: T
}

/**
 * A glob built by `definition.pattern()`, for `cache.deletePattern()`. Besides the glob, it knows
 * its template, so the cache deletes only keys of that template: `'messaging:conversation:*'`
 * also matches `messaging:conversation:7:messages`, a key of another template, which is skipped.
 */
export interface KeyPattern {
  /** The Redis glob below the cache prefix: given parameters encoded and glob-escaped, missing ones `*`. */
  readonly glob: string
  /** The template it came from. */
  readonly template: string
  /**
   * True when `key` (below the cache prefix) is a key of this template matching the given parameters.
   *
   * @example
   * ```ts
   * const pattern = defineKey('messaging:conversation:{id}').pattern()
   * pattern.matches('messaging:conversation:7')          // true
   * pattern.matches('messaging:conversation:7:messages') // false: a key of another template
   * ```
   */
  matches(key: string): boolean
  /**
   * The glob.
   *
   * @example
   * ```ts
   * `${exportKey.pattern({ ejId: 7 })}` // 'fhir:export:*:ej:7'
   * ```
   */
  toString(): string
}

/**
 * Options of {@link defineKey}. The resilience fields (grace, staleWhileRevalidate,
 * loaderTimeout, earlyRefresh, lock) override the cache's for this key family.
 */
export interface KeyOptions<Template extends string, T, Specs extends ParamSpecs<Template>> extends ResilienceOptions {
  /**
   * Validates (and may transform) values on read, with zod or any Standard Schema v1 library. An
   * entry that fails is a miss, is deleted and is counted as a decode failure. Its output type is
   * the key's value type.
   *
   * @default no validation (the value type is `unknown`, or the one given to `withType<T>()`)
   * @example
   * ```ts
   * const patientKey = defineKey('patient:{id}', { schema: PatientSchema }) // values typed as Patient
   * ```
   */
  readonly schema?: StandardSchemaV1<unknown, T>
  /**
   * The entry TTL: a duration (`'10m'`, `600_000`) or a TTL policy name (`'session'`, or any name
   * in `createCache({ ttls })` / `CACHE_TTL_<NAME>`). A per-call `ttl` wins over it.
   *
   * @default the cache's default TTL
   * @example
   * ```ts
   * defineKey('professional:{id}', { ttl: '10m' })
   * defineKey('session:{id}', { ttl: 'session' }) // the 'session' policy (1h unless overridden)
   * ```
   */
  readonly ttl?: TtlSpec
  /**
   * How each parameter's value enters the key: `'strict'`, `'encode'`, `'hash'` or `{ hmac }`.
   *
   * @default 'strict' for every parameter
   * @example
   * ```ts
   * defineKey('patient:{codePatient}', { params: { codePatient: { hmac: process.env.KEY_SECRET! } } })
   * defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
   * ```
   */
  readonly params?: Specs
  /**
   * Tags every entry of this key gets, from its parameters (`({ tenantId }) => [`tenant:${tenantId}`]`);
   * `cache.invalidateTags()` drops them all at once. Tags appear in store key names: build them from
   * identifiers that may appear there (or hash them).
   *
   * @default no tags
   * @example
   * ```ts
   * defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' }, tags: ({ tenantId }) => [`tenant:${tenantId}`] })
   * await cache.invalidateTags(['tenant:t1']) // drops every list of that tenant
   * ```
   */
  readonly tags?: (params: KeyParams<Template, Specs>) => readonly string[]
  /**
   * The data subjects every entry of this key belongs to, from its parameters (`({ id }) => [`patient:${id}`]`),
   * added to those of the call: `cache.forget('patient:42')` removes every entry of that subject,
   * in every tier and process. Subjects never appear in store key names (they are hashed); the
   * driver needs the `sets` capability. At most 16 per entry, the call's included.
   *
   * @default no subjects
   * @example
   * ```ts
   * const patientKey = defineKey('patient:{id}', { subjects: ({ id }) => [`patient:${id}`] })
   * await cache.forget('patient:42') // every entry of patient 42 is gone
   * ```
   */
  readonly subjects?: (params: KeyParams<Template, Specs>) => readonly string[]
  /**
   * The codec of this key's values.
   *
   * @default the cache's codec (JSON)
   * @example
   * ```ts
   * defineKey('fhir:bundle:{id}', { codec: superjsonCodec }) // a Codec that keeps Dates
   * ```
   */
  readonly codec?: Codec<any>
  /**
   * The `key_prefix` metrics label and the key name in logs: a constant naming the key family.
   *
   * @default the template's literal head before its first parameter ('patient' for 'patient:{id}')
   * @example
   * ```ts
   * defineKey('soins_suite_{etablissement}_patient_cache:{code}', { label: 'patient' }) // the head would be 'soins_suite'
   * ```
   */
  readonly label?: string
}

/** A call that may omit its argument when the template has no parameter. */
type BindArgs<P> = {} extends P ? [params?: P] : [params: P]

/**
 * A key definition: call it with the template's parameters to get a {@link Key}.
 *
 * @example
 * ```ts
 * const listKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
 * listKey({ tenantId: 't1', filters: { status: 'ACTIVE' } }).key // 'fmpa:list:t1:<16 chars>'
 * ```
 */
export interface KeyDefinition<Template extends string, T = unknown, Specs = {}> {
  (...params: BindArgs<KeyParams<Template, Specs>>): Key<T>
  /** The template, as given. */
  readonly template: Template
  /** The parameter names, in order of first appearance. */
  readonly paramNames: readonly string[]
  /**
   * A glob for `cache.deletePattern()`: given parameters are validated like keys and escaped;
   * missing ones become `*`.
   *
   * @example
   * ```ts
   * exportKey.pattern({ ejId: 1 }).glob // 'fhir:export:*:ej:1'
   * ```
   */
  pattern(params?: Partial<KeyParams<Template, Specs>>): KeyPattern
  /**
   * The same definition with another value type, for keys without a schema.
   *
   * @example
   * ```ts
   * const sessionKey = defineKey('session:{id}', { ttl: 'session' }).withType<Session>()
   * ```
   */
  withType<V>(): KeyDefinition<Template, V, Specs>
  /** @internal */
  readonly [KEY_SPEC]: KeySpec
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g
const LABEL_PATTERN = /^[\w.:-]{1,100}$/

/**
 * Defines a key family from a template. Parameters are inferred from the template by the type
 * system; `{{` and `}}` write literal braces (a Redis Cluster hash tag: `'{{conv:{id}}}:messages'`).
 * The template is checked here, once: a bad one throws at module load, not on first use.
 *
 * @throws InvalidKeyError for a malformed template; InvalidOptionsError / InvalidDurationError for bad options.
 * @example
 * ```ts
 * const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m' })
 * const p = await cache.getOrSet(patientKey({ id: 42 }), () => db.loadPatient(42)) // p: Patient
 * ```
 */
export function defineKey<const Template extends string, T = unknown, const Specs extends ParamSpecs<Template> = {}>(
  template: Template,
  options: KeyOptions<Template, T, Specs> = {},
): KeyDefinition<Template, T, Specs> {
  const parsed = parseTemplate(template)
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): options must be an object`)
  const specs = (options.params ?? {}) as Readonly<Record<string, ParamMode>>
  for (const name of Object.keys(specs)) {
    if (!parsed.paramNames.includes(name)) throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): params.${name} is not a parameter of the template`)
  }
  const encoders = new Map<string, ParamEncoder>()
  for (const name of parsed.paramNames) encoders.set(name, compileParam(template, name, specs[name]))
  if (options.schema !== undefined && typeof options.schema?.['~standard']?.validate !== 'function') {
    throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): schema must implement Standard Schema v1 (a '~standard' property)`)
  }
  if (options.tags !== undefined && typeof options.tags !== 'function') {
    throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): tags must be a function of the parameters`)
  }
  if (options.subjects !== undefined && typeof options.subjects !== 'function') {
    throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): subjects must be a function of the parameters`)
  }
  if (options.label !== undefined && !LABEL_PATTERN.test(options.label)) {
    throw new InvalidOptionsError(`[@cachette/core] defineKey('${template}'): label must be 1 to 100 letters, digits, '_', '.', ':' or '-'`)
  }
  let resilience: ResilienceOptions | undefined
  if (hasResilienceOptions(options)) {
    // Validated here, once, so a bad value fails at module load like a bad template.
    mergeLoadPolicy(DEFAULT_LOAD_POLICY, options, `defineKey('${template}') options`)
    resilience = {}
    for (const name of Object.keys(resilienceShape) as (keyof ResilienceOptions)[]) {
      if (options[name] !== undefined) (resilience as Record<string, unknown>)[name] = options[name]
    }
  }
  const spec: KeySpec = Object.freeze({
    template,
    parts: parsed.parts,
    encoders,
    label: options.label ?? parsed.staticHead,
    ttl: options.ttl === undefined ? undefined : parseTtlSpec(options.ttl),
    schema: options.schema as StandardSchemaV1 | undefined,
    codec: options.codec,
    tags: options.tags,
    ...(options.subjects === undefined ? {} : { subjects: options.subjects }),
    resilience,
  })

  const bind = (params?: Readonly<Record<string, unknown>>): Key<T> => {
    let key = ''
    for (const part of spec.parts) {
      key += part.param === undefined ? part.literal : (encoders.get(part.param) as ParamEncoder)(readParam(template, params, part.param))
    }
    return { key, params, [KEY_SPEC]: spec }
  }

  const pattern = (params: Readonly<Record<string, unknown>> = {}): KeyPattern => {
    let glob = ''
    let source = '^'
    for (const part of spec.parts) {
      if (part.param === undefined) {
        glob += escapeGlob(part.literal)
        source += part.literal.replace(REGEX_SPECIAL, '\\$&')
      } else {
        const value = readParam(template, params, part.param)
        if (value === undefined) {
          glob += '*'
          // A parameter value never holds ':', so a missing one spans exactly its own segment.
          source += '[^:]+'
          continue
        }
        const text = (encoders.get(part.param) as ParamEncoder)(value)
        glob += escapeGlob(text)
        source += text.replace(REGEX_SPECIAL, '\\$&')
      }
    }
    const regex = new RegExp(`${source}$`, 'u')
    return Object.freeze({ glob, template, matches: (key: string) => regex.test(key), toString: () => glob })
  }

  const definition = Object.assign(bind, {
    template,
    paramNames: parsed.paramNames,
    pattern,
    withType: () => definition,
    [KEY_SPEC]: spec,
  })
  return definition as unknown as KeyDefinition<Template, T, Specs>
}

/**
 * `params[name]`, with a getter or proxy trap that throws turned into an InvalidKeyError. The
 * original error is only the cause: its message may quote the data the getter guards.
 */
function readParam(template: string, params: Readonly<Record<string, unknown>> | undefined, name: string): unknown {
  try {
    return params?.[name]
  } catch (error) {
    throw new InvalidKeyError(`[@cachette/core] key '${template}': reading parameter '${name}' threw an error (kept as the cause)`, { cause: error })
  }
}

/**
 * True when `value` is a key built by a key definition.
 *
 * @example
 * ```ts
 * isKey(patientKey({ id: 1 })) // true
 * isKey('patient:1')           // false
 * ```
 */
export function isKey(value: unknown): value is Key {
  return typeof value === 'object' && value !== null && KEY_SPEC in value
}
