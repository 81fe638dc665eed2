import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCache, defineKey, InvalidKeyError, matchGlob, memoryDriver, stableHash } from '../src/index.js'
import { testCache } from './support/cache.js'

describe('templates of every seed', () => {
  it('builds the seed key layouts', () => {
    expect(defineKey('soins_suite_{etablissement}_patient_cache:{code}')({ etablissement: 12, code: 'CI-20250108-00001' }).key).toBe(
      'soins_suite_12_patient_cache:CI-20250108-00001',
    )
    expect(defineKey('{service}:{entity}:{id}')({ service: 'identity', entity: 'patient', id: 42 }).key).toBe('identity:patient:42')
    expect(defineKey('fhir:export:{type}:ej:{ejId}')({ type: 'venues', ejId: 1 }).key).toBe('fhir:export:venues:ej:1')
    expect(defineKey('messaging:conversation:{id}:messages')({ id: 'c-9' }).key).toBe('messaging:conversation:c-9:messages')
    expect(defineKey('identity:stats:dashboard')().key).toBe('identity:stats:dashboard')
    expect(defineKey('big:{id}')({ id: 12345678901234567890n }).key).toBe('big:12345678901234567890')
  })

  it('hashes object parameters into a short stable hash of their canonical JSON', () => {
    const listKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
    const a = listKey({ tenantId: 't1', filters: { status: 'ACTIVE', page: 2, tags: ['a', 'b'] } }).key
    const b = listKey({ tenantId: 't1', filters: { tags: ['a', 'b'], page: 2, status: 'ACTIVE' } }).key
    const c = listKey({ tenantId: 't1', filters: { status: 'ACTIVE', page: 3, tags: ['a', 'b'] } }).key
    expect(a).toBe(b)
    expect(a).not.toBe(c)
    expect(a).toMatch(/^fmpa:list:t1:[A-Za-z0-9_-]{16}$/)
    expect(a.endsWith(stableHash({ page: 2, status: 'ACTIVE', tags: ['a', 'b'] }))).toBe(true)
  })

  it('writes literal braces as {{ and }}, so a Redis Cluster hash tag is expressible', () => {
    const messagesKey = defineKey('{{conv:{id}}}:messages')
    expect(messagesKey.paramNames).toEqual(['id'])
    expect(messagesKey({ id: 42 }).key).toBe('{conv:42}:messages')
    expect(messagesKey.pattern({}).glob).toBe('{conv:*}:messages')
  })

  it('rejects malformed templates when they are defined', () => {
    for (const template of ['', 'a:{id', 'a:}', 'a:{1x}', 'a:{}', 'a::b', ':a', 'a:*', 'a b:{id}', '{a}_{b}', 'x:{a}{b}']) {
      expect(() => defineKey(template), template).toThrow(InvalidKeyError)
    }
    expect(() => defineKey('a:{id}', { params: { nope: 'hash' } as never })).toThrow(/params.nope is not a parameter/)
  })
})

describe('parameter validation', () => {
  const patientKey = defineKey('patient:{id}')

  it.each([
    ['a glob star', 'Xq7*'],
    ['a question mark', 'Xq7?'],
    ['brackets', 'Xq7[ab]'],
    ['a backslash', 'Xq7\\b'],
    ['the separator', 'Xq7:b'],
    ['a brace', 'Xq7{x}'],
    ['a space', 'Xq7 b'],
    ['a newline', 'Xq7\nb'],
    ['a NUL', 'Xq7\u0000'],
    ['a lone surrogate', 'Xq7\uD800'],
  ])('rejects %s, naming the template and parameter but not the value', (_, value) => {
    let error: unknown
    try {
      patientKey({ id: value })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidKeyError)
    const message = (error as Error).message
    expect(message).toContain("'patient:{id}'")
    expect(message).toContain("'id'")
    expect(message).not.toContain('Xq7')
  })

  it('rejects an empty string and a lone star', () => {
    expect(() => patientKey({ id: '' })).toThrow(/'id' is an empty string/)
    expect(() => patientKey({ id: '*' })).toThrow(InvalidKeyError)
  })

  it('rejects values of the wrong type at run time', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, true, null, undefined, { a: 1 }]) {
      expect(() => patientKey({ id: value as never })).toThrow(InvalidKeyError)
    }
  })

  it("'encode' accepts any string and keeps keys distinct and glob-free", () => {
    const encodedKey = defineKey('patient:{code}', { params: { code: 'encode' } })
    expect(encodedKey({ code: '*' }).key).toBe('patient:%2A')
    expect(encodedKey({ code: 'a:b c' }).key).toBe('patient:a%3Ab%20c')
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1 }), (a, b) => {
        const keyA = encodedKey({ code: a }).key
        expect(keyA).toMatch(/^patient:[A-Za-z0-9._~%-]+$/)
        if (a !== b) expect(keyA).not.toBe(encodedKey({ code: b }).key)
      }),
    )
  })

  it('keyed hashing (HMAC) keeps identifiers out of key names', () => {
    const secret = 'a-test-secret-of-at-least-16-bytes'
    const hashedKey = defineKey('soins_suite_{etablissement}_patient_cache:{code}', { params: { code: { hmac: secret } } })
    const key = hashedKey({ etablissement: 1, code: 'CI-20250108-00001' }).key
    expect(key).toMatch(/^soins_suite_1_patient_cache:[A-Za-z0-9_-]{22}$/)
    expect(key).not.toContain('CI-2025')
    expect(hashedKey({ etablissement: 1, code: 'CI-20250108-00001' }).key).toBe(key)
    expect(hashedKey({ etablissement: 1, code: 'CI-20250108-00002' }).key).not.toBe(key)
    const otherSecret = defineKey('soins_suite_{etablissement}_patient_cache:{code}', { params: { code: { hmac: `${secret}!` } } })
    expect(otherSecret({ etablissement: 1, code: 'CI-20250108-00001' }).key).not.toBe(key)
    // A number and its text name the same patient, as for plain parameters.
    const byId = defineKey('p:{id}', { params: { id: { hmac: secret, length: 16 } } })
    expect(byId({ id: 42 }).key).toBe(byId({ id: '42' }).key)
    expect(byId({ id: 42 }).key).toHaveLength(2 + 16)
    expect(() => defineKey('p:{id}', { params: { id: { hmac: 'short' } } })).toThrow(/at least 16 bytes/)
  })
})

describe('patterns', () => {
  const exportKey = defineKey('fhir:export:{type}:ej:{ejId}')

  it('turns missing parameters into * and escapes given ones', () => {
    expect(exportKey.pattern({ ejId: 1 }).glob).toBe('fhir:export:*:ej:1')
    expect(exportKey.pattern({ type: 'venues' }).glob).toBe('fhir:export:venues:ej:*')
    expect(String(exportKey.pattern())).toBe('fhir:export:*:ej:*')
    const dashed = defineKey('soins_suite_{etablissement}_patient_cache:{code}')
    const pattern = dashed.pattern({ etablissement: 'a-b' })
    expect(matchGlob(pattern.glob, 'soins_suite_a-b_patient_cache:X1')).toBe(true)
    expect(matchGlob(pattern.glob, 'soins_suite_a_b_patient_cache:X1')).toBe(false)
  })

  it('validates given parameters: a patient code * cannot become a wildcard', () => {
    const patientKey = defineKey('patient:{id}')
    expect(() => patientKey.pattern({ id: '*' })).toThrow(InvalidKeyError)
    expect(() => patientKey.pattern({ id: 'a?' })).toThrow(InvalidKeyError)
  })

  it('deletePattern(key.pattern({ id: "*" })) never reaches other patients', async () => {
    const { cache } = testCache()
    const strictKey = defineKey('patient:{id}')
    await cache.set(strictKey({ id: 1 }), 'one')
    await cache.set(strictKey({ id: 2 }), 'two')
    await expect(async () => cache.deletePattern(strictKey.pattern({ id: '*' }))).rejects.toThrow(InvalidKeyError)
    expect(await cache.get(strictKey({ id: 1 }))).toBe('one')

    // With encoding, '*' is a literal patient code: only that entry goes.
    const encodedKey = defineKey('patient:{id}', { params: { id: 'encode' } })
    await cache.set(encodedKey({ id: '*' }), 'star')
    expect(await cache.deletePattern(encodedKey.pattern({ id: '*' }))).toBe(1)
    expect(await cache.get(strictKey({ id: 1 }))).toBe('one')
    expect(await cache.get(strictKey({ id: 2 }))).toBe('two')
  })

  it('a KeyPattern keeps to its template even when the glob matches more', () => {
    const conversationKey = defineKey('messaging:conversation:{id}')
    const pattern = conversationKey.pattern({})
    expect(pattern.matches('messaging:conversation:7')).toBe(true)
    expect(pattern.matches('messaging:conversation:7:messages')).toBe(false)
    expect(matchGlob(pattern.glob, 'messaging:conversation:7:messages')).toBe(true)
  })

  it('uses the seed 002 management patterns below a prefix', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, prefix: 'fhir', env: false })
    const key = defineKey('export:{type}:ej:{ejId}')
    for (const type of ['structure', 'patients', 'venues']) for (const ejId of [1, 2]) await cache.set(key({ type, ejId }), { type, ejId })
    expect(await cache.deletePattern(key.pattern({ type: 'venues' }))).toBe(2)
    expect(await cache.deletePattern(key.pattern({ ejId: 1 }))).toBe(2)
    expect(await cache.deletePattern('export:*')).toBe(2)
  })
})
