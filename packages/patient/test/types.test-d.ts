import { createCache, memoryDriver } from '@cachette/core'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createPatientCache, createProfessionalCache, type Patient } from '../src/index.js'

const driver = memoryDriver()
const cache = createCache({ driver, env: false })

describe('types', () => {
  it('getByCode resolves a Patient with Date timestamps and nullable contacts', () => {
    const patients = createPatientCache({ cache, driver, etablissement: 'e1' })
    expectTypeOf(patients.getByCode('CI-1', async () => null)).resolves.toEqualTypeOf<Patient | undefined>()
    expectTypeOf<Patient['created_at']>().toEqualTypeOf<Date>()
    expectTypeOf<Patient['email']>().toEqualTypeOf<string | null>()
    expectTypeOf<Patient['est_assure']>().toEqualTypeOf<boolean>()
  })

  it('invalidateAfterCommit returns what the transaction returns', () => {
    const patients = createPatientCache({ cache, driver, etablissement: 'e1' })
    expectTypeOf(patients.invalidateAfterCommit('CI-1', async () => 42 as const)).resolves.toEqualTypeOf<42>()
  })

  it("a professional cache's value type comes from its schema", () => {
    const professionals = createProfessionalCache({ cache, schema: z.object({ id: z.number(), nom: z.string() }) })
    expectTypeOf(professionals.getById(1, async () => undefined)).resolves.toEqualTypeOf<{ id: number; nom: string } | undefined>()
  })
})
