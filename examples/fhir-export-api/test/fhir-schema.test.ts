import { describe, expect, it } from 'vitest'
import { fhirProblems, fhirSchema } from './support/fhir-schema.js'

describe('the FHIR R4 JSON Schema the exports are checked against', () => {
  it('is the R4 schema (draft-06, http://hl7.org/fhir/json-schema/4.0), with the resources the exports use', () => {
    const { schema } = fhirSchema()
    expect(schema['$schema']).toBe('http://json-schema.org/draft-06/schema#')
    expect(schema['id']).toBe('http://hl7.org/fhir/json-schema/4.0')
    const mapping = (schema['discriminator'] as { mapping: Record<string, string> }).mapping
    expect(Object.keys(mapping)).toHaveLength(146)
    for (const type of ['Bundle', 'Organization', 'Location', 'Patient', 'Encounter']) expect(mapping[type]).toBe(`#/definitions/${type}`)
  })

  it('refuses what is not valid FHIR R4: a wrong code, a missing required element, an unknown element, a malformed movement, a bad instant', () => {
    const encounter = { resourceType: 'Encounter', id: 'e1', status: 'in-progress', class: { code: 'IMP' } }
    const bundle = (resource: object) => ({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'http://x/fhir/Encounter/e1', resource }] })
    expect(fhirProblems(bundle(encounter))).toEqual([])
    expect(fhirProblems(bundle({ ...encounter, status: 'ongoing' }))).not.toEqual([])
    // Encounter.class is 1..1 (a missing primitive such as status may be given as _status: the schema cannot require it).
    const { class: _class, ...withoutClass } = encounter
    expect(fhirProblems(bundle(withoutClass))).not.toEqual([])
    expect(fhirProblems(bundle({ ...encounter, ward: 'USIC' }))).not.toEqual([])
    // Encounter.location is a list of { location (1..1), status, period }; 'current' is not a status.
    expect(fhirProblems(bundle({ ...encounter, location: { location: { reference: 'Location/l1' } } }))).not.toEqual([])
    expect(fhirProblems(bundle({ ...encounter, location: [{ status: 'active' }] }))).not.toEqual([])
    expect(fhirProblems(bundle({ ...encounter, location: [{ location: { reference: 'Location/l1' }, status: 'current' }] }))).not.toEqual([])
    expect(fhirProblems({ resourceType: 'Bundle', type: 'collection', meta: { lastUpdated: '2025-01-08 14:30' } })).not.toEqual([])
  })
})
