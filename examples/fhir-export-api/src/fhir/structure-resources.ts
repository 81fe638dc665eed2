import type { LocationRow, StructureRows } from '../db/structure-repository.js'
import { organizationId, reference, type FhirResource, type ResourceContext } from './bundle.js'

/** FINESS (the French registry of health establishments), as an identifier system. */
export const FINESS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.2'

const PHYSICAL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/location-physical-type'

/** A service is a wing, a unit a ward, a bed a bed (FHIR's location-physical-type codes). */
export const PHYSICAL_TYPES = {
  service: { code: 'wi', display: 'Wing' },
  unit: { code: 'wa', display: 'Ward' },
  bed: { code: 'bd', display: 'Bed' },
} as const

/**
 * The structure export's resources: the legal entity's Organization, then one Location per
 * service, unit and bed, each `partOf` its parent.
 *
 * @example
 * ```ts
 * structureResources(await loadStructure(db, 1), { baseUrl, ejId: 1 })
 * ```
 */
export function structureResources(structure: StructureRows, context: ResourceContext): FhirResource[] {
  const { entity } = structure
  const organization: FhirResource = {
    resourceType: 'Organization',
    id: organizationId(entity.id),
    meta: { lastUpdated: entity.updated_at },
    identifier: [{ system: FINESS_SYSTEM, value: entity.finess }],
    active: true,
    name: entity.name,
  }
  return [organization, ...structure.locations.map((location) => locationResource(location, context))]
}

function locationResource(location: LocationRow, context: ResourceContext): FhirResource {
  return {
    resourceType: 'Location',
    id: location.id,
    meta: { lastUpdated: location.updated_at },
    status: location.active ? 'active' : 'inactive',
    name: location.name,
    mode: 'instance',
    physicalType: { coding: [{ system: PHYSICAL_TYPE_SYSTEM, ...PHYSICAL_TYPES[location.kind] }] },
    managingOrganization: reference('Organization', organizationId(context.ejId)),
    ...(location.parent_id === null ? {} : { partOf: reference('Location', location.parent_id) }),
  }
}
