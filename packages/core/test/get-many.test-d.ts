import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createCache, defineKey, type Key } from '../src/index.js'

// Type-checked only: the calls sit in functions that are never called.

const PatientSchema = z.object({ id: z.number(), name: z.string() })
type Patient = z.infer<typeof PatientSchema>
const patientKey = defineKey('patient:{id}', { schema: PatientSchema })
const countKey = defineKey<'count:{id}', number>('count:{id}')
const cache = createCache({ env: false })
const typeOnly = (check: () => unknown): void => void check

describe('batch operations infer T from Key<T>', () => {
  it('getMany', () => {
    typeOnly(async () => {
      expectTypeOf(await cache.getMany([patientKey({ id: 1 }), patientKey({ id: 2 })])).toEqualTypeOf<(Patient | undefined)[]>()
      expectTypeOf(await cache.getMany([countKey({ id: 1 })])).toEqualTypeOf<(number | undefined)[]>()
      expectTypeOf(await cache.getMany<Patient>(['raw:1'])).toEqualTypeOf<(Patient | undefined)[]>()
      // @ts-expect-error: not an array
      await cache.getMany(patientKey({ id: 1 }))
    })
  })

  it('setMany checks each value against its key', () => {
    typeOnly(async () => {
      expectTypeOf(await cache.setMany([{ key: patientKey({ id: 1 }), value: { id: 1, name: 'a' }, options: { ttl: '1m' } }])).toEqualTypeOf<boolean[]>()
      // @ts-expect-error: the value is not a Patient
      await cache.setMany([{ key: patientKey({ id: 1 }), value: { id: 'one' } }])
      // @ts-expect-error: the value is not a number
      await cache.setMany([{ key: countKey({ id: 1 }), value: 'x' }])
    })
  })

  it('getOrSetMany: the loader gets the keys and must return T | undefined per key', () => {
    typeOnly(async () => {
      const values = await cache.getOrSetMany([patientKey({ id: 1 })], async (missing) => {
        expectTypeOf(missing).toEqualTypeOf<readonly (Key<Patient> | string)[]>()
        return missing.map(() => undefined)
      })
      expectTypeOf(values).toEqualTypeOf<(Patient | undefined)[]>()
      expectTypeOf(await cache.getOrSetMany([countKey({ id: 1 })], (missing) => missing.map(() => 1))).toEqualTypeOf<(number | undefined)[]>()
      // @ts-expect-error: the loader's values are not numbers
      await cache.getOrSetMany([countKey({ id: 1 })], (missing) => missing.map(() => 'x'))
    })
  })
})
