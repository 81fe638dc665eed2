import { createCache, memoryDriver, type CacheOptions, type Driver } from '@cachette/core'
import { createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { createPatientCache, type PatientCacheOptions } from '../src/index.js'
import { keyContent, randomCode, seedPatient } from './support/fixtures.js'

const driver = memoryDriver()
const cache = createCache({ driver, env: false })
const base: PatientCacheOptions = { cache, etablissement: 'e1', env: false }

/** A driver that announces `capability` as missing. */
function without(capability: 'hashes' | 'compareAndDelete'): Driver {
  const capabilities = { ...driver.capabilities, [capability]: false }
  return new Proxy(driver, { get: (target, property, receiver) => (property === 'capabilities' ? capabilities : Reflect.get(target, property, receiver)) }) as Driver
}

describe('createPatientCache options', () => {
  it.each([
    ['no establishment', { etablissement: '' }, /etablissement/],
    ['an unknown storage', { storage: 'xml' }, /storage/],
    ['a template without a code parameter', { keyTemplate: 'patient:{etablissement}' }, /keyTemplate/],
    ['a template with two code parameters', { keyTemplate: 'patient:{id}:{code}' }, /keyTemplate/],
    ['a template with an unknown parameter', { keyTemplate: 'patient:{tenant}:{id}' }, /keyTemplate/],
    ['two parameters in one segment', { keyTemplate: 'p_{etablissement}_{code_patient}' }, /keyTemplate/],
    ['a zero TTL', { ttl: 0 }, /ttl/],
    ['an unknown option', { ttlSeconds: 5 }, /ttlSeconds/],
    ['a CACHE_TTL_PATIENT in minutes', { env: { CACHE_TTL_PATIENT: '10m' } }, /CACHE_TTL_PATIENT/],
  ])('refuses %s with a readable InvalidOptionsError', (_name, override, message) => {
    expect(() => createPatientCache({ ...base, ...(override as object) } as PatientCacheOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringMatching(message) }),
    )
    expect(() => createPatientCache({ ...base, ...(override as object) } as PatientCacheOptions)).toThrow(/^\[@cachette\/patient\]/)
  })

  it('refuses an establishment id that would break the key, without echoing it', () => {
    expect(() => createPatientCache({ ...base, etablissement: 'etab*secret' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.not.stringContaining('etab*secret') }),
    )
  })

  it("refuses a cache whose driver has no hashes for HASH storage, naming what is missing", () => {
    const noHashes = createCache({ driver: without('hashes'), env: false })
    expect(() => createPatientCache({ ...base, cache: noHashes })).toThrow(expect.objectContaining({ code: 'MISSING_CAPABILITY', message: expect.stringContaining('hashes') }))
    expect(() => createPatientCache({ ...base, cache: noHashes, storage: 'json' })).not.toThrow()
  })

  it("accepts seed 001's layout and a keyed-hash code", () => {
    const patients = createPatientCache({ ...base, keyTemplate: 'identity:patient:{id}', storage: 'json' })
    expect(patients.keyOf('42')).toBe('identity:patient:42')
    const hidden = createPatientCache({ ...base, codeParam: { hmac: 'a-secret-of-32-bytes-for-tests!!' } })
    expect(hidden.keyOf('CI-20250108-00001')).toMatch(/^soins_suite_e1_patient_cache:[\w-]{22}$/)
    expect(() => createPatientCache({ ...base, codeParam: { hmac: 'short' } })).toThrow(/codeParam/)
  })

  it('accepts every keyed-hash form the type allows: a byte secret and a length', () => {
    const secret = new Uint8Array(32).fill(7)
    const bytes = createPatientCache({ ...base, codeParam: { hmac: secret, length: 16 } })
    expect(bytes.keyOf('P-42')).toMatch(/^soins_suite_e1_patient_cache:[\w-]{16}$/)
    expect(bytes.keyOf('P-42')).not.toContain('42')
    expect(() => createPatientCache({ ...base, codeParam: { hmac: secret, length: 8 } })).toThrow(/codeParam/)
    expect(() => createPatientCache({ ...base, codeParam: { hmac: new Uint8Array(4) } })).toThrow(/codeParam/)
  })
})

describe('options the cache now provides', () => {
  it.each([
    ['driver', 'a driver', driver, /driver: no longer an option of createPatientCache; the cache's driver is used: createCache\(\{ driver \}\)/],
    ['deadlineMs', 'a deadline', 300, /deadlineMs: no longer an option of createPatientCache; the cache's deadline applies: createCache\(\{ deadlineMs \}\)/],
    ['fence', 'a fence TTL', { ttl: '1m' }, /fence: no longer an option of createPatientCache; the cache's fence applies, in both storages: createCache\(\{ fence \}\)/],
    ['fence', 'fence: false', false, /fence: .*createCache\(\{ fence \}\)/],
    ['invalidationRetry', 'retry delays', { initialDelayMs: 10, maxDelayMs: 5 }, /invalidationRetry: no longer an option of createPatientCache; failed invalidations wait in the cache's queue: createCache\(\{ invalidationQueue \}\)/],
    ['meter', 'a meter', { createCounter: () => undefined, createHistogram: () => undefined }, /meter: no longer an option of createPatientCache; .*createCache\(\{ meter \}\)/],
    ['logger', 'a logger', { warn: () => undefined }, /logger: no longer an option of createPatientCache; .*createCache\(\{ logger \}\)/],
  ])('refuses %s (%s), saying where it went', (name, _given, value, message) => {
    const options = { ...base, [name]: value } as unknown as PatientCacheOptions
    expect(() => createPatientCache(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringMatching(message) }))
    expect(() => createPatientCache(options)).toThrow(/^\[@cachette\/patient\]/)
  })

  it('names every moved option given at once', () => {
    const options = { ...base, driver, deadlineMs: 50, logger: { warn: () => undefined } } as unknown as PatientCacheOptions
    expect(() => createPatientCache(options)).toThrow(/driver: .*; deadlineMs: .*; logger: /)
  })
})

describe("the cache's fence applies", () => {
  /** A patient cache over its own cache, and what one invalidation leaves at a warmed key. */
  async function afterInvalidation(cacheOptions: Partial<CacheOptions>, patientOptions: Partial<PatientCacheOptions> = {}) {
    // A fake clock: the TTLs read back are exactly the ones set.
    const clock = createFakeClock(Date.now())
    const store = memoryDriver({ clock })
    const patients = createPatientCache({ ...base, cache: createCache({ driver: store, env: false, clock, ...cacheOptions }), ...patientOptions })
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    expect(await patients.invalidate(code)).toBe('invalidated')
    return { store, patients, code }
  }

  it("in 'hash' storage, on by default: an invalidation leaves a tombstone of the cache's default fence TTL (1 min)", async () => {
    const { store, patients, code } = await afterInvalidation({})
    const key = patients.keyOf(code)
    expect(await keyContent(store, key)).toBe('tombstone')
    expect(await store.pttl(key)).toBe(60_000)
  })

  it("in 'hash' storage, a cache with fence: { ttl } gives tombstones of that TTL", async () => {
    const { store, patients, code } = await afterInvalidation({ fence: { ttl: '5m' }, deadlineMs: 200 })
    const key = patients.keyOf(code)
    expect(await keyContent(store, key)).toBe('tombstone')
    expect(await store.pttl(key)).toBe(300_000)
  })

  it("in 'hash' storage, a cache with fence: false gives DEL invalidations", async () => {
    const { store, patients, code } = await afterInvalidation({ fence: false })
    expect(await keyContent(store, patients.keyOf(code))).toBe('absent')
  })

  it("in 'json' storage too: a cache with fence: { ttl } gives tombstones of that TTL, fence: false a DEL", async () => {
    const json = { storage: 'json', keyTemplate: 'patient:{id}' } as const
    const fenced = await afterInvalidation({ prefix: 'identity', fence: { ttl: '2m' } }, json)
    expect(await keyContent(fenced.store, `identity:patient:${fenced.code}`)).toBe('tombstone')
    expect(await fenced.store.pttl(`identity:patient:${fenced.code}`)).toBe(120_000)
    const unfenced = await afterInvalidation({ prefix: 'identity', fence: false }, json)
    expect(await keyContent(unfenced.store, `identity:patient:${unfenced.code}`)).toBe('absent')
  })

  it("needs compareAndDelete in 'hash' storage while the cache's fence is on, not with fence: false", () => {
    const keepLock = { duplicateLock: { keepAfterCreate: true } }
    const fenced = createCache({ driver: without('compareAndDelete'), env: false })
    expect(() => createPatientCache({ ...base, ...keepLock, cache: fenced })).toThrow(expect.objectContaining({ code: 'MISSING_CAPABILITY', message: expect.stringContaining('compareAndDelete') }))
    const unfenced = createCache({ driver: without('compareAndDelete'), env: false, fence: false })
    expect(() => createPatientCache({ ...base, ...keepLock, cache: unfenced })).not.toThrow()
  })
})

describe('the env option', () => {
  it('accepts process.env itself (not a plain object)', () => {
    expect(() => createPatientCache({ ...base, env: process.env })).not.toThrow()
  })
})
