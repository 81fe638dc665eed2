import { cacheConfigFromEnv, isCacheError, parseDuration, type CacheEnv, type Duration } from '@cachette/core'
import { refuse } from './fhir-export-options.js'

/** The TTL of every export type, in ms, settled once in the factory. */
export interface ExportTtls {
  /**
   * The TTL of `type` in ms: `CACHE_TTL_FHIR_<TYPE>`, else `ttls[type]` or the built-in one, else
   * `CACHE_TTL`, else `defaultTtl`.
   *
   * @example
   * ```ts
   * ttls.of('venues') // 300000
   * ```
   */
  of(type: string): number
}

/** Types whose TTL is remembered after the first request; others are worked out on each call. */
const MAX_REMEMBERED_TYPES = 1_000
/** `CACHE_TTL_FHIR_<TYPE>` in core's reading: `fhir_<type>` once lower-cased. */
const ENV_FAMILY = /^CACHE_TTL_FHIR_/

/**
 * Reads the TTLs: per type, `CACHE_TTL_FHIR_<TYPE>` (seconds; the type upper-cased, `-` written `_`)
 * wins over the code's, so operators tune a running service without a release; the types without
 * one take `CACHE_TTL` (seconds, the seed's variable), else `defaultTtl`. The environment is read
 * here once: a bad variable fails the factory, not the first request.
 *
 * @throws InvalidOptionsError naming the variable or the option.
 * @example
 * ```ts
 * const ttls = exportTtls({ structure: '1h', patients: '10m', venues: '5m' }, '1h', { CACHE_TTL_FHIR_VENUES: '120' })
 * ttls.of('venues')  // 120000
 * ttls.of('imaging') // 3600000
 * ```
 */
export function exportTtls(code: Readonly<Record<string, Duration>>, defaultTtl: Duration, env: CacheEnv): ExportTtls {
  const family: Record<string, string | undefined> = {}
  for (const name of Object.keys(env)) if (ENV_FAMILY.test(name)) family[name] = env[name]
  const fromEnv = readSeconds(family, undefined).ttlsMs
  const perType = new Map<string, number>()
  for (const [type, ttl] of Object.entries(code)) perType.set(type, fromEnv[envPolicy(type)] ?? toMs(`ttls.${type}`, ttl))
  const seedDefault = env['CACHE_TTL']
  const fallbackMs = seedDefault === undefined || seedDefault === '' ? toMs('defaultTtl', defaultTtl) : (readSeconds({ CACHE_TTL_DEFAULT: seedDefault }, 'CACHE_TTL').ttlMs as number)
  return {
    of(type) {
      let ms = perType.get(type)
      if (ms === undefined) {
        ms = fromEnv[envPolicy(type)] ?? fallbackMs
        // Types are an open set, maybe named by requests: remember a bounded number of them.
        if (perType.size < MAX_REMEMBERED_TYPES) perType.set(type, ms)
      }
      return ms
    },
  }
}

/** Core's name for `CACHE_TTL_FHIR_<TYPE>` ('my-type' → 'fhir_my_type'). */
function envPolicy(type: string): string {
  return `fhir_${type.replaceAll('-', '_')}`
}

/** Core's parsing of TTL variables (whole seconds, at least 1), its error reworded for `CACHE_TTL`. */
function readSeconds(variables: CacheEnv, seedName: string | undefined): ReturnType<typeof cacheConfigFromEnv> {
  try {
    return cacheConfigFromEnv(variables)
  } catch (error) {
    const reason = isCacheError(error) ? error.message.replace(/^\[@cachette\/core\] /, '') : 'invalid TTL variable'
    return refuse([seedName === undefined ? reason : reason.replace('CACHE_TTL_DEFAULT', seedName)], error)
  }
}

function toMs(name: string, ttl: Duration): number {
  try {
    return parseDuration(ttl)
  } catch (error) {
    return refuse([`${name}: ${isCacheError(error) ? error.message.replace(/^\[@cachette\/core\] /, '') : 'invalid duration'}`], error)
  }
}
