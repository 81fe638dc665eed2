import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createCache, defineKey, type HashableParam, type Key, type KeyParams, type ScalarParam, type TemplateParamNames } from '../src/index.js'

// This file is type-checked, and also loaded by the runtime test run: every call that would
// throw at run time (a missing parameter) sits in a function that is never called.

const PatientSchema = z.object({ id: z.number(), name: z.string(), birthDate: z.coerce.date() })
type Patient = z.infer<typeof PatientSchema>
const cache = createCache({ env: false })
const loadPatient = async (id: number): Promise<Patient> => ({ id, name: 'x', birthDate: new Date(0) })
const typeOnly = (check: () => unknown): void => void check

describe('template parameters are inferred', () => {
  it('for every seed layout', () => {
    expectTypeOf<TemplateParamNames<'soins_suite_{etablissement}_patient_cache:{code}'>>().toEqualTypeOf<'etablissement' | 'code'>()
    expectTypeOf<TemplateParamNames<'{service}:{entity}:{id}'>>().toEqualTypeOf<'service' | 'entity' | 'id'>()
    expectTypeOf<TemplateParamNames<'fhir:export:{type}:ej:{ejId}'>>().toEqualTypeOf<'type' | 'ejId'>()
    expectTypeOf<TemplateParamNames<'fmpa:list:{tenantId}:{filters}'>>().toEqualTypeOf<'tenantId' | 'filters'>()
    expectTypeOf<TemplateParamNames<'messaging:conversation:{id}:messages'>>().toEqualTypeOf<'id'>()
    expectTypeOf<TemplateParamNames<'identity:stats:dashboard'>>().toEqualTypeOf<never>()
  })

  it('skips escaped braces (hash tags)', () => {
    expectTypeOf<TemplateParamNames<'{{conv:{id}}}:messages'>>().toEqualTypeOf<'id'>()
    expectTypeOf<TemplateParamNames<'{{{tenant}}}:list:{page}'>>().toEqualTypeOf<'tenant' | 'page'>()
  })

  it('requires every parameter when binding', () => {
    const exportKey = defineKey('fhir:export:{type}:ej:{ejId}')
    expectTypeOf(exportKey).toBeCallableWith({ type: 'venues', ejId: 1 })
    const dashboardKey = defineKey('identity:stats:dashboard')
    expectTypeOf(dashboardKey).toBeCallableWith()
    const legacyKey = defineKey('soins_suite_{etablissement}_patient_cache:{code}')
    expectTypeOf<Parameters<typeof legacyKey>[0]>().toEqualTypeOf<{ readonly etablissement: ScalarParam; readonly code: ScalarParam }>()
    typeOnly(() => {
      // @ts-expect-error ejId is missing
      exportKey({ type: 'venues' })
      // @ts-expect-error the params object is required
      exportKey()
      // @ts-expect-error booleans are not key parameters
      exportKey({ type: true, ejId: 1 })
      // @ts-expect-error code is missing
      legacyKey({ etablissement: 1 })
      // @ts-expect-error a typo in a parameter name
      defineKey('messaging:conversation:{id}:messages')({ ids: 1 })
    })
  })

  it('accepts objects only for hashed parameters', () => {
    const listKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
    expectTypeOf(listKey).toBeCallableWith({ tenantId: 't1', filters: { status: 'ACTIVE', page: 2 } })
    expectTypeOf<KeyParams<'fmpa:list:{tenantId}:{filters}', { filters: 'hash' }>['filters']>().toEqualTypeOf<HashableParam>()
    typeOnly(() => {
      // @ts-expect-error tenantId is not hashed: no objects
      listKey({ tenantId: { id: 1 }, filters: {} })
      // @ts-expect-error not a parameter of the template
      defineKey('fmpa:list:{tenantId}', { params: { filters: 'hash' } })
    })
  })

  it('refuses, for hashed parameters, the built-ins JSON cannot represent', () => {
    const hashKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
    const hmacKey = defineKey('patient:{code}', { params: { code: { hmac: 'a-test-secret-of-at-least-16-bytes' } } })
    interface Filters {
      status: string
      page: number
      size: number
      from?: Date
    }
    const filters: Filters = { status: 'ACTIVE', page: 1, size: 20 }
    const record: Record<string, unknown> = { status: 'ACTIVE' }
    expectTypeOf(hashKey).toBeCallableWith({ tenantId: 't1', filters })
    expectTypeOf(hashKey).toBeCallableWith({ tenantId: 't1', filters: record })
    expectTypeOf(hashKey).toBeCallableWith({ tenantId: 't1', filters: [filters, 'x', [1, null]] })
    expectTypeOf(hashKey).toBeCallableWith({ tenantId: 't1', filters: { from: new Date(), tags: ['a'], nested: { page: 2 } } })
    expectTypeOf(hmacKey).toBeCallableWith({ code: 'CI-20250108-00001' })
    expectTypeOf(hmacKey).toBeCallableWith({ code: { etablissement: 1, code: 'CI-1' } })
    typeOnly(() => {
      // @ts-expect-error a Map hashes as {} in JSON
      hashKey({ tenantId: 't1', filters: new Map([['patient', 'TRAORE']]) })
      // @ts-expect-error a Set hashes as {}
      hashKey({ tenantId: 't1', filters: new Set(['TRAORE']) })
      // @ts-expect-error a URLSearchParams hashes as {}
      hashKey({ tenantId: 't1', filters: new URLSearchParams('patient=TRAORE') })
      // @ts-expect-error a WeakMap hashes as {}
      hashKey({ tenantId: 't1', filters: new WeakMap() })
      // @ts-expect-error a RegExp hashes as {}
      hashKey({ tenantId: 't1', filters: /TRAORE/ })
      // @ts-expect-error a function is not a value
      hashKey({ tenantId: 't1', filters: () => 'TRAORE' })
      // @ts-expect-error a Uint8Array hashes as an object of indexes
      hashKey({ tenantId: 't1', filters: new Uint8Array(2) })
      // @ts-expect-error array elements are checked too
      hashKey({ tenantId: 't1', filters: [new URLSearchParams('patient=TRAORE')] })
      // @ts-expect-error undefined is a missing parameter
      hashKey({ tenantId: 't1', filters: undefined })
      // @ts-expect-error the same for HMAC parameters
      hmacKey({ code: new URLSearchParams('patient=TRAORE') })
      // @ts-expect-error the same for HMAC parameters
      hmacKey({ code: new Map() })
      // @ts-expect-error the same for HMAC parameters
      hmacKey({ code: new Set() })
    })
  })

  it('types the tags callback with the parameters', () => {
    defineKey('fmpa:list:{tenantId}:{filters}', {
      params: { filters: 'hash' },
      tags: (params) => {
        expectTypeOf(params.tenantId).toEqualTypeOf<ScalarParam>()
        return [`tenant:${String(params.tenantId)}`]
      },
    })
  })
})

describe('value types flow from the schema to the cache', () => {
  const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m' })

  it('a key carries its schema output type', () => {
    expectTypeOf(patientKey({ id: 42 })).toEqualTypeOf<Key<Patient>>()
  })

  it('getOrSet infers the schema output type', () => {
    typeOnly(async () => {
      const id = 42
      const patient = await cache.getOrSet(patientKey({ id }), () => loadPatient(id))
      expectTypeOf(patient).toEqualTypeOf<Patient>()
      const maybe = await cache.getOrSet(patientKey({ id }), async () => (id > 0 ? loadPatient(id) : undefined))
      expectTypeOf(maybe).toEqualTypeOf<Patient | undefined>()
      // @ts-expect-error the loader must produce a Patient
      await cache.getOrSet(patientKey({ id }), async () => ({ id: 'not a number' }))
    })
  })

  it('get returns T | undefined; set checks the value', () => {
    typeOnly(async () => {
      expectTypeOf(await cache.get(patientKey({ id: 1 }))).toEqualTypeOf<Patient | undefined>()
      await cache.set(patientKey({ id: 1 }), { id: 1, name: 'x', birthDate: new Date() })
      // @ts-expect-error name is missing
      await cache.set(patientKey({ id: 1 }), { id: 1, birthDate: new Date() })
    })
  })

  it('string keys and untyped keys take the loader type', () => {
    typeOnly(async () => {
      expectTypeOf(await cache.getOrSet('stats:dashboard', async () => ({ total: 3 }))).toEqualTypeOf<{ total: number }>()
      const untyped = defineKey('report:{id}')
      expectTypeOf(await cache.getOrSet(untyped({ id: 1 }), () => 42)).toEqualTypeOf<number>()
      expectTypeOf(await cache.get('anything')).toEqualTypeOf<unknown>()
    })
  })

  it('withType<T>() types a key without a schema', () => {
    interface Session {
      userId: string
    }
    const sessionKey = defineKey('session:{id}', { ttl: 'session' }).withType<Session>()
    expectTypeOf(sessionKey({ id: 'abc' })).toEqualTypeOf<Key<Session>>()
  })
})
