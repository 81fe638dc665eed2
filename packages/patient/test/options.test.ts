import { createCache, memoryDriver, type Driver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createPatientCache, type PatientCacheOptions } from '../src/index.js'

const driver = memoryDriver()
const cache = createCache({ driver, env: false })
const base: PatientCacheOptions = { cache, driver, etablissement: 'e1', env: false }

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
    ['a retry delay above its maximum', { invalidationRetry: { initialDelayMs: 10, maxDelayMs: 5 } }, /maxDelayMs/],
    ['a CACHE_TTL_PATIENT in minutes', { env: { CACHE_TTL_PATIENT: '10m' } }, /CACHE_TTL_PATIENT/],
    ['a fence TTL under 1 s', { fence: { ttl: 500 } }, /fence\.ttl: must be at least 1000 ms/],
    ['a fence TTL within 4 deadlines', { fence: { ttl: '1s' }, deadlineMs: 300 }, /fence\.ttl: .*4 × deadlineMs \(1200 ms\)/],
    ['a fence TTL that is not a duration', { fence: { ttl: '1 minute' } }, /fence\.ttl/],
    ['a fence that is neither false nor { ttl }', { fence: true }, /fence: expected false or \{ ttl \}/],
    ['an unknown fence option', { fence: { ttlMs: 5_000 } }, /fence/],
    ["a fence in 'json' storage (the cache's own applies)", { storage: 'json', fence: { ttl: '1m' } }, /fence: applies to 'hash' storage only/],
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

  it('refuses a driver without hashes for HASH storage, naming what is missing', () => {
    const capabilities = { ...driver.capabilities, hashes: false }
    const noHashes = new Proxy(driver, { get: (target, property, receiver) => (property === 'capabilities' ? capabilities : Reflect.get(target, property, receiver)) }) as Driver
    expect(() => createPatientCache({ ...base, driver: noHashes })).toThrow(expect.objectContaining({ code: 'MISSING_CAPABILITY', message: expect.stringContaining('hashes') }))
    expect(() => createPatientCache({ ...base, driver: noHashes, storage: 'json' })).not.toThrow()
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

describe('the fence option', () => {
  it("defaults to on in 'hash' storage, and needs compareAndDelete there", () => {
    const capabilities = { ...driver.capabilities, compareAndDelete: false }
    const noCompare = new Proxy(driver, { get: (target, property, receiver) => (property === 'capabilities' ? capabilities : Reflect.get(target, property, receiver)) }) as Driver
    const keepLock = { duplicateLock: { keepAfterCreate: true } }
    expect(() => createPatientCache({ ...base, ...keepLock, driver: noCompare })).toThrow(expect.objectContaining({ code: 'MISSING_CAPABILITY', message: expect.stringContaining('compareAndDelete') }))
    expect(() => createPatientCache({ ...base, ...keepLock, driver: noCompare, fence: false })).not.toThrow()
    expect(() => createPatientCache({ ...base, fence: { ttl: '5m' }, deadlineMs: 200 })).not.toThrow()
  })
})

describe('the env option', () => {
  it('accepts process.env itself (not a plain object)', () => {
    expect(() => createPatientCache({ ...base, env: process.env })).not.toThrow()
  })
})
