import { createCache, memoryDriver, type Key } from '@cachette/core'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createFhirExportCache, type ExportBuildContext, type FhirExportCacheOptions } from '../src/index.js'

const cache = createCache({ driver: memoryDriver(), wire: 'plain', env: false })
const BundleSchema = z.object({ resourceType: z.literal('Bundle'), total: z.number() })

describe('types', () => {
  it('getExport resolves the schema output, and build must return it', () => {
    const exports = createFhirExportCache({ cache, schema: BundleSchema })
    expectTypeOf(exports.getExport('venues', 1, async () => ({ resourceType: 'Bundle' as const, total: 0 }))).resolves.toEqualTypeOf<{ resourceType: 'Bundle'; total: number }>()
    // @ts-expect-error a build that returns something else than the export type
    exports.getExport('venues', 1, async () => ({ resourceType: 'Patient' }))
  })

  it('the build context gives the previous version and notModified() of the export type', () => {
    expectTypeOf<ExportBuildContext<{ total: number }>['previousVersion']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<ReturnType<ExportBuildContext<{ total: number }>['notModified']>>().toEqualTypeOf<{ total: number }>()
  })

  it('ejId is a string or a number; the key definition infers its parameters from the template', () => {
    const exports = createFhirExportCache<{ total: number }>({ cache })
    expectTypeOf(exports.structureChanged).parameter(0).toEqualTypeOf<string | number>()
    expectTypeOf(exports.key({ type: 'venues', ejId: 1 })).toEqualTypeOf<Key<{ total: number }>>()
    // @ts-expect-error ejId is required by the template
    exports.key({ type: 'venues' })
    // @ts-expect-error an import names its legal entities, or 'all'
    exports.fhirImported('some')
  })

  it('has none of the options the cache provides', () => {
    expectTypeOf<FhirExportCacheOptions>().not.toHaveProperty('driver')
    expectTypeOf<FhirExportCacheOptions>().not.toHaveProperty('meter')
    expectTypeOf<FhirExportCacheOptions>().not.toHaveProperty('prefix')
  })
})
