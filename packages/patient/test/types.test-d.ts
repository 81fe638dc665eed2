import { createCache, memoryDriver } from '@cachette/core'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createPatientCache, createProfessionalCache, type Patient, type PatientCacheOptions } from '../src/index.js'

const cache = createCache({ driver: memoryDriver(), env: false })

describe('types', () => {
  it('getByCode resolves a Patient with Date timestamps and nullable contacts', () => {
    const patients = createPatientCache({ cache, etablissement: 'e1' })
    expectTypeOf(patients.getByCode('CI-1', async () => null)).resolves.toEqualTypeOf<Patient | undefined>()
    expectTypeOf<Patient['created_at']>().toEqualTypeOf<Date>()
    expectTypeOf<Patient['email']>().toEqualTypeOf<string | null>()
    expectTypeOf<Patient['est_assure']>().toEqualTypeOf<boolean>()
  })

  it('invalidateAfterCommit returns what the transaction returns', () => {
    const patients = createPatientCache({ cache, etablissement: 'e1' })
    expectTypeOf(patients.invalidateAfterCommit('CI-1', async () => 42 as const)).resolves.toEqualTypeOf<42>()
  })

  it('has none of the options the cache now provides', () => {
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('driver')
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('deadlineMs')
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('fence')
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('invalidationRetry')
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('meter')
    expectTypeOf<PatientCacheOptions>().not.toHaveProperty('logger')
  })

  it("a professional cache's value type comes from its schema", () => {
    const professionals = createProfessionalCache({ cache, schema: z.object({ id: z.number(), nom: z.string() }) })
    expectTypeOf(professionals.getById(1, async () => undefined)).resolves.toEqualTypeOf<{ id: number; nom: string } | undefined>()
  })
})
