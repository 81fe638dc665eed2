import type { MovementRow, VenueRow } from '../db/venue-repository.js'
import { organizationId, reference, type FhirResource, type ResourceContext } from './bundle.js'

const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode'
const CLASS_DISPLAY = { IMP: 'inpatient encounter', AMB: 'ambulatory', EMER: 'emergency' } as const

/**
 * The venues export's resources: one Encounter per venue (séjour), its movements as `location[]`
 * entries, each with its period; the current one `active`, the others `completed`.
 *
 * @example
 * ```ts
 * encounterResources(await loadVenues(db, 1), { baseUrl, ejId: 1 })
 * ```
 */
export function encounterResources(venues: readonly VenueRow[], context: ResourceContext): FhirResource[] {
  return venues.map((venue) => ({
    resourceType: 'Encounter',
    id: venue.id,
    meta: { lastUpdated: venue.updated_at },
    status: venue.status,
    class: { system: ACT_CODE_SYSTEM, code: venue.class_code, display: CLASS_DISPLAY[venue.class_code] },
    subject: reference('Patient', venue.patient_id),
    period: period(venue.start_at, venue.end_at),
    serviceProvider: reference('Organization', organizationId(context.ejId)),
    location: venue.movements.map(locationEntry),
  }))
}

function locationEntry(movement: MovementRow) {
  return {
    location: reference('Location', movement.location_id),
    status: movement.end_at === null ? 'active' : 'completed',
    period: period(movement.start_at, movement.end_at),
  }
}

function period(start: string, end: string | null): { start: string; end?: string } {
  return end === null ? { start } : { start, end }
}
