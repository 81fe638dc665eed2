import type { PatientRow } from '../db/patient-repository.js'
import { organizationId, reference, type FhirResource, type ResourceContext } from './bundle.js'

/**
 * The identifier system of a legal entity's IPPs (identifiant permanent du patient): an IPP is
 * unique within its legal entity only.
 *
 * @example
 * ```ts
 * ippSystem('http://127.0.0.1:8000/fhir', 1) // 'http://127.0.0.1:8000/fhir/NamingSystem/ipp-ej-1'
 * ```
 */
export function ippSystem(baseUrl: string, ejId: number): string {
  return `${baseUrl}/NamingSystem/ipp-ej-${ejId}`
}

/**
 * The patients export's resources: one Patient per patient of the legal entity.
 *
 * @example
 * ```ts
 * patientResources(await loadPatients(db, 1), { baseUrl, ejId: 1 })
 * ```
 */
export function patientResources(patients: readonly PatientRow[], context: ResourceContext): FhirResource[] {
  return patients.map((patient) => ({
    resourceType: 'Patient',
    id: patient.id,
    meta: { lastUpdated: patient.updated_at },
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI', display: 'Patient internal identifier' }] },
        system: ippSystem(context.baseUrl, context.ejId),
        value: patient.ipp,
      },
    ],
    name: [{ use: 'official', family: patient.family, given: patient.given.split(/\s+/) }],
    gender: patient.gender,
    birthDate: patient.birth_date,
    managingOrganization: reference('Organization', organizationId(context.ejId)),
  }))
}
