import { createCache, memoryDriver, type CacheOptions } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createFhirExportCache, type FhirExportCacheOptions } from '../src/index.js'
import { bundleOf, memoryExports } from './support/exports.js'

const cacheWith = (options: CacheOptions) => createCache({ driver: memoryDriver(), env: false, ...options })

/** The InvalidOptionsError message of a factory call that must fail. */
function refusal(options: unknown): string {
  try {
    createFhirExportCache(options as FhirExportCacheOptions)
  } catch (error) {
    expect(error).toMatchObject({ name: 'InvalidOptionsError', code: 'INVALID_OPTIONS' })
    return (error as Error).message
  }
  throw new Error('createFhirExportCache accepted the options')
}

describe('shared with the seed service (shared: true, the default)', () => {
  it("refuses a cache storing the Cachette envelope, and says to use wire: 'plain' or shared: false", () => {
    const message = refusal({ cache: cacheWith({}), env: false })
    expect(message).toContain("[@cachette/fhir-export] createFhirExportCache options are invalid: cache: shared: true (the default)")
    expect(message).toContain("wire: 'plain'")
    expect(message).toContain('shared: false')
  })

  it('refuses a prefixed cache and a fenced one, listing both problems', () => {
    const message = refusal({ cache: cacheWith({ wire: 'plain', prefix: 'exports', fence: { ttl: '1m' } }), env: false })
    expect(message).toContain('the cache has a prefix')
    expect(message).toContain("'@cf …' tombstones")
    expect(message).not.toContain('envelope')
  })

  it('accepts a plain cache without prefix or fence', () => {
    expect(createFhirExportCache({ cache: cacheWith({ wire: 'plain' }), env: false }).ttlMs('venues')).toBe(300_000)
  })

  it('shared: false accepts any cache; the entries are then below its prefix, in its envelope', async () => {
    const driver = memoryDriver()
    const exports = createFhirExportCache({ cache: createCache({ driver, prefix: 'exports', env: false }), shared: false, env: false })
    await exports.getExport('venues', 1, async () => bundleOf('venues', 1))
    expect(await driver.get('exports:fhir:export:venues:ej:1')).toBe(`@c1\n${JSON.stringify(bundleOf('venues', 1))}`)
    expect(await driver.get('fhir:export:venues:ej:1')).toBeNull()
  })
})

describe('options are checked once, in the factory', () => {
  it('lists every invalid option in one InvalidOptionsError', () => {
    const message = refusal({
      cache: cacheWith({ wire: 'plain' }),
      driver: memoryDriver(),
      ttls: { 'Venues*': '5m' },
      label: 'fhir export',
      shared: 'yes',
      revalidate: { windw: '1m' },
    })
    const [head, problems = ''] = message.split(' options are invalid: ')
    expect(head).toBe('[@cachette/fhir-export] createFhirExportCache')
    // One problem per option, each naming it.
    expect(problems.split('; ').sort()).toEqual([
      "label: 1 to 100 letters, digits, '_', '.', ':' or '-'",
      'options: Unrecognized key: "driver"',
      "revalidate.window: expected a duration (ms, or a string such as '10s', '5m', '1h')",
      'revalidate: Unrecognized key: "windw"',
      'shared: Invalid input: expected boolean, received string',
      'ttls.Venues*: type names are lower-case letters, digits, _ and - (starting with a letter)',
    ])
  })

  it('refuses something that is not a cache', () => {
    expect(refusal({ cache: { get: () => undefined }, env: false })).toContain('cache: expected a Cache from createCache()')
  })

  it('refuses a TTL that is not a duration, naming the option', () => {
    expect(refusal({ cache: cacheWith({ wire: 'plain' }), ttls: { venues: '5 minutes' }, env: false })).toContain("ttls.venues: invalid duration '5 minutes'")
    expect(refusal({ cache: cacheWith({ wire: 'plain' }), defaultTtl: 0, env: false })).toContain('defaultTtl:')
    expect(refusal({ cache: cacheWith({ wire: 'plain' }), revalidate: { window: '5 minutes' }, env: false })).toContain('revalidate.window: expected a duration')
  })
})

describe('TTLs: the seed defaults, code, then the environment (seconds)', () => {
  it('takes ttls from code over the built-in ones, and defaultTtl for the other types', () => {
    const { exports } = memoryExports({ ttls: { venues: '2m', imaging: '30m' }, defaultTtl: '15m' })
    expect(['structure', 'patients', 'venues', 'imaging', 'medications'].map((type) => exports.ttlMs(type))).toEqual([3_600_000, 600_000, 120_000, 1_800_000, 900_000])
  })

  it('CACHE_TTL_FHIR_<TYPE> wins over the code, CACHE_TTL gives the types without their own TTL', () => {
    const env = { CACHE_TTL_FHIR_VENUES: '120', CACHE_TTL_FHIR_MY_TYPE: '60', CACHE_TTL: '900', CACHE_TTL_FHIR_PATIENTS: '' }
    const { exports } = memoryExports({ env, ttls: { venues: '1m' }, defaultTtl: '2h' })
    expect(exports.ttlMs('venues')).toBe(120_000)
    expect(exports.ttlMs('my-type')).toBe(60_000)
    expect(exports.ttlMs('medications')).toBe(900_000)
    expect(exports.ttlMs('structure')).toBe(3_600_000) // a built-in type keeps its own TTL
    expect(exports.ttlMs('patients')).toBe(600_000) // an empty variable counts as unset
  })

  it('writes the TTL the environment gives', async () => {
    const { exports, driver } = memoryExports({ env: { CACHE_TTL_FHIR_VENUES: '45' } })
    await exports.getExport('venues', 2, async () => bundleOf('venues', 2))
    expect(await driver.pttl('fhir:export:venues:ej:2')).toBe(45_000)
  })

  it('refuses a variable that is not a whole number of seconds, naming it', () => {
    const cache = cacheWith({ wire: 'plain' })
    expect(refusal({ cache, env: { CACHE_TTL: '5m' } })).toContain('CACHE_TTL: expected a whole number of seconds')
    expect(refusal({ cache, env: { CACHE_TTL_FHIR_VENUES: '0' } })).toContain('CACHE_TTL_FHIR_VENUES: must be at least 1 second')
  })

  it('env: false reads no variable', () => {
    const previous = process.env['CACHE_TTL_FHIR_VENUES']
    process.env['CACHE_TTL_FHIR_VENUES'] = '1'
    try {
      expect(memoryExports({ env: false }).exports.ttlMs('venues')).toBe(300_000)
      expect(createFhirExportCache({ cache: cacheWith({ wire: 'plain' }) }).ttlMs('venues')).toBe(1_000)
    } finally {
      if (previous === undefined) delete process.env['CACHE_TTL_FHIR_VENUES']
      else process.env['CACHE_TTL_FHIR_VENUES'] = previous
    }
  })

  it('refuses to tell the TTL of a type that is not a type name', () => {
    const { exports } = memoryExports()
    expect(() => exports.ttlMs('venues:*')).toThrow(/parameter 'type' must be 1 to 64 lower-case letters/)
  })
})
