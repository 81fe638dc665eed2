import { z } from 'zod'
import type { PatientUpsert } from '../db/patient-repository.js'
import type { LocationUpsert } from '../db/structure-repository.js'
import { PHYSICAL_TYPES } from './structure-resources.js'

// FHIR's own patterns: an id, a date.
const FHIR_ID = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'expected a FHIR id')
const DATE = z.iso.date()
const text = (max: number) => z.string().trim().min(1).max(max).refine((value) => !value.includes('\u0000'), 'must not contain a NUL character')

/** `Organization/ej-<n>`: which legal entity a resource belongs to. */
const ORGANIZATION_REFERENCE = z.object({ reference: z.string().regex(/^Organization\/ej-[1-9]\d{0,8}$/, "expected 'Organization/ej-<legal entity id>'") })
const LOCATION_REFERENCE = z.object({ reference: z.string().regex(/^Location\/[A-Za-z0-9\-.]{1,64}$/, "expected 'Location/<id>'") })

const ImportedPatient = z.object({
  resourceType: z.literal('Patient'),
  id: FHIR_ID,
  identifier: z.array(z.object({ value: text(64) })).min(1),
  name: z.array(z.object({ family: text(100), given: z.array(text(100)).min(1) })).min(1),
  gender: z.enum(['male', 'female', 'other', 'unknown']),
  birthDate: DATE,
  managingOrganization: ORGANIZATION_REFERENCE,
})

const PHYSICAL_TYPE_CODES = Object.fromEntries(Object.entries(PHYSICAL_TYPES).map(([kind, { code }]) => [code, kind])) as Record<string, LocationUpsert['kind']>

const ImportedLocation = z.object({
  resourceType: z.literal('Location'),
  id: FHIR_ID,
  name: text(200),
  status: z.enum(['active', 'inactive']).optional(),
  physicalType: z.object({ coding: z.array(z.object({ code: z.enum(Object.keys(PHYSICAL_TYPE_CODES) as [string, ...string[]]) })).min(1) }),
  managingOrganization: ORGANIZATION_REFERENCE,
  partOf: LOCATION_REFERENCE.optional(),
})

/**
 * The body of `POST /fhir/import`: a FHIR Bundle (`collection`, `batch` or `transaction`) of Patient
 * and Location resources, each saying its legal entity through `managingOrganization`
 * (`Organization/ej-<n>`). Locations are applied in the order given (a parent before its children).
 */
export const ImportBundleBody = z.object({
  resourceType: z.literal('Bundle'),
  type: z.enum(['collection', 'batch', 'transaction']),
  entry: z.array(z.object({ resource: z.discriminatedUnion('resourceType', [ImportedPatient, ImportedLocation]) })).min(1).max(1000),
})

/** What an import writes, and the legal entities it touches. */
export interface ImportRows {
  readonly patients: readonly PatientUpsert[]
  readonly locations: readonly LocationUpsert[]
  /** Every legal entity a resource belongs to, in order, once each. */
  readonly ejIds: readonly number[]
}

const ejOf = (organization: { reference: string }) => Number(organization.reference.slice('Organization/ej-'.length))

/**
 * The rows of a checked import Bundle.
 *
 * @example
 * ```ts
 * const rows = importRows(ImportBundleBody.parse(request.body))
 * ```
 */
export function importRows(bundle: z.output<typeof ImportBundleBody>): ImportRows {
  const patients: PatientUpsert[] = []
  const locations: LocationUpsert[] = []
  const ejIds = new Set<number>()
  for (const { resource } of bundle.entry) {
    const ejId = ejOf(resource.managingOrganization)
    ejIds.add(ejId)
    if (resource.resourceType === 'Patient') {
      const [name] = resource.name
      patients.push({
        id: resource.id,
        ej_id: ejId,
        ipp: (resource.identifier[0] as { value: string }).value,
        family: (name as { family: string }).family,
        given: (name as { given: string[] }).given.join(' '),
        gender: resource.gender,
        birth_date: resource.birthDate,
      })
    } else {
      locations.push({
        id: resource.id,
        ej_id: ejId,
        kind: PHYSICAL_TYPE_CODES[(resource.physicalType.coding[0] as { code: string }).code] as LocationUpsert['kind'],
        name: resource.name,
        parent_id: resource.partOf === undefined ? null : resource.partOf.reference.slice('Location/'.length),
        active: resource.status !== 'inactive',
      })
    }
  }
  return { patients, locations, ejIds: [...ejIds] }
}
