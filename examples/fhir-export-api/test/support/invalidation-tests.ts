import { randomInt } from 'node:crypto'
import { expect, it } from 'vitest'
import type { FhirResource } from '../../src/fhir/bundle.js'
import { builds, buildsBetween, encounterLocations, fetchEveryExport, fetchExport, type ApiContext } from './api-suite.js'

const resourcesOf = (bundle: { entry?: readonly { resource: FhirResource }[] }) => (bundle.entry ?? []).map((entry) => entry.resource)

// Movements start later each time: a venue's new movement must start after its current one.
let minutes = 0
const nextStart = () => new Date(Date.UTC(2025, 1, 1) + ++minutes * 60_000).toISOString()

/** Every export built 0 times, but these. */
function only(changed: Record<string, number>): Record<string, number> {
  const all: Record<string, number> = {}
  for (const type of ['structure', 'patients', 'venues']) for (const ej of [1, 2]) all[`${type}:ej:${ej}`] = 0
  return { ...all, ...changed }
}

/** The writes and seed 002's invalidation rules, run after each commit. */
export function defineInvalidationTests(getApi: () => ApiContext): void {
  it("POST /movements: the next venues export has the movement (rebuilt); every venues export goes (the seed's rule), nothing else", async () => {
    const api = getApi()
    const cached = await fetchEveryExport(api)
    const before = builds(api)
    const start = nextStart()
    const created = await api.app.inject({ method: 'POST', url: '/movements', payload: { venueId: 'ej1-sej-3', locationId: 'ej1-card-usic-102', start } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ movement: { venue_id: 'ej1-sej-3', location_id: 'ej1-card-usic-102', start_at: start.replace('.000Z', 'Z'), end_at: null }, cache: { invalidated: 2 } })

    const venues = (await fetchExport(api, 'venues', 1)).bundle
    expect(Number(venues.meta?.versionId)).toBe(Number(cached.get('venues:ej:1')?.meta?.versionId) + 1)
    // The previous movement ended when the new one started; the new one is the current location.
    expect(encounterLocations(venues, 'ej1-sej-3').slice(-2)).toEqual([
      expect.objectContaining({ location: { reference: 'Location/ej1-urg-box' }, status: 'completed', period: expect.objectContaining({ end: start.replace('.000Z', 'Z') }) }),
      { location: { reference: 'Location/ej1-card-usic-102' }, status: 'active', period: { start: start.replace('.000Z', 'Z') } },
    ])
    await fetchEveryExport(api)
    expect(buildsBetween(before, builds(api))).toEqual(only({ 'venues:ej:1': 1, 'venues:ej:2': 1 }))
  })

  it('POST /movements refused (unknown venue, a location of another legal entity, a malformed body): nothing written, nothing invalidated', async () => {
    const api = getApi()
    await fetchEveryExport(api)
    const before = builds(api)
    const attempts = [
      [{ venueId: 'ej1-sej-404', locationId: 'ej1-card-usic-102', start: nextStart() }, 404],
      [{ venueId: 'ej1-sej-1', locationId: 'ej2-chir-hc-12', start: nextStart() }, 422],
      [{ venueId: 'ej1-sej-1', locationId: 'ej1-card-hc-201', start: '2020-01-01T00:00:00Z' }, 422],
      [{ venueId: 'ej1-sej-1', locationId: 'ej1-card-hc-201', start: 'tomorrow' }, 400],
      [{ venueId: 'ej1-sej-1', locationId: 'ej1-card-hc-201', start: nextStart(), extra: true }, 400],
    ] as const
    for (const [payload, status] of attempts) expect((await api.app.inject({ method: 'POST', url: '/movements', payload })).statusCode, JSON.stringify(payload)).toBe(status)
    await fetchEveryExport(api)
    expect(buildsBetween(before, builds(api))).toEqual(only({}))
  })

  it("PUT /structures/:ej: that legal entity's structure is rebuilt with the change; the other's structure and every patients and venues export stay cached", async () => {
    const api = getApi()
    const cached = await fetchEveryExport(api)
    const before = builds(api)
    const name = `Centre hospitalier Lyon-Est ${randomInt(1_000_000)}`
    const renamed = await api.app.inject({ method: 'PUT', url: '/structures/1', payload: { name, locations: [{ id: 'ej1-card-hc', name: 'Cardiologie – hospitalisation' }] } })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json()).toEqual({ ej: 1, cache: { invalidated: 1 } })

    const after = await fetchEveryExport(api)
    expect(buildsBetween(before, builds(api))).toEqual(only({ 'structure:ej:1': 1 }))
    const structure = resourcesOf(after.get('structure:ej:1') ?? {})
    expect(structure[0]).toMatchObject({ resourceType: 'Organization', name })
    expect(structure.find((location) => location.id === 'ej1-card-hc')).toMatchObject({ name: 'Cardiologie – hospitalisation' })
    expect(Number(after.get('structure:ej:1')?.meta?.versionId)).toBe(Number(cached.get('structure:ej:1')?.meta?.versionId) + 1)
    for (const key of ['structure:ej:2', 'patients:ej:1', 'patients:ej:2', 'venues:ej:1', 'venues:ej:2']) expect(after.get(key), key).toEqual(cached.get(key))
  })

  it('PUT /structures/:ej refused (unknown legal entity, a location of another one): rolled back, nothing invalidated', async () => {
    const api = getApi()
    const cached = await fetchEveryExport(api)
    const before = builds(api)
    expect((await api.app.inject({ method: 'PUT', url: '/structures/999', payload: { name: 'Nulle part' } })).statusCode).toBe(404)
    const mixed = await api.app.inject({ method: 'PUT', url: '/structures/1', payload: { name: 'Ne doit pas rester', locations: [{ id: 'ej2-chir', name: 'x' }] } })
    expect(mixed.statusCode).toBe(404)
    expect((await api.app.inject({ method: 'PUT', url: '/structures/1', payload: {} })).statusCode).toBe(400)
    expect((await api.app.inject({ method: 'PUT', url: '/structures/abc', payload: { name: 'x' } })).statusCode).toBe(400)
    await api.caches.cache.deletePattern('fhir:export:*')
    const rebuilt = await fetchEveryExport(api)
    expect(resourcesOf(rebuilt.get('structure:ej:1') ?? {})[0]?.['name']).toBe(resourcesOf(cached.get('structure:ej:1') ?? {})[0]?.['name'])
    expect(rebuilt.get('structure:ej:1')?.meta?.versionId).toBe(cached.get('structure:ej:1')?.meta?.versionId)
    expect(Object.values(buildsBetween(before, builds(api)))).toEqual([1, 1, 1, 1, 1, 1])
  })

  it('POST /fhir/import: every export of the legal entities it touched is rebuilt (the new resources in them); the others stay cached', async () => {
    const api = getApi()
    const cached = await fetchEveryExport(api)
    const before = builds(api)
    const suffix = String(randomInt(1_000_000))
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: {
            resourceType: 'Location',
            id: `ej2-chir-rea-${suffix}`,
            name: 'Salle de réveil',
            physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'wa' }] },
            managingOrganization: { reference: 'Organization/ej-2' },
            partOf: { reference: 'Location/ej2-chir' },
          },
        },
        {
          resource: {
            resourceType: 'Patient',
            id: `ej2-pat-${suffix}`,
            identifier: [{ system: 'urn:ipp', value: `9${suffix}` }],
            name: [{ family: 'Lefèvre', given: ['Anaïs', 'Marie'] }],
            gender: 'female',
            birthDate: '1978-02-14',
            managingOrganization: { reference: 'Organization/ej-2' },
          },
        },
      ],
    }
    const imported = await api.app.inject({ method: 'POST', url: '/fhir/import', payload: bundle, headers: { 'content-type': 'application/fhir+json' } })
    expect(imported.statusCode, imported.body).toBe(200)
    expect(imported.json()).toEqual({ imported: { patients: 1, locations: 1 }, ejs: [2], cache: { invalidated: 3 } })

    const after = await fetchEveryExport(api)
    expect(buildsBetween(before, builds(api))).toEqual(only({ 'structure:ej:2': 1, 'patients:ej:2': 1, 'venues:ej:2': 1 }))
    expect(resourcesOf(after.get('patients:ej:2') ?? {}).find((patient) => patient.id === `ej2-pat-${suffix}`)).toMatchObject({ name: [{ family: 'Lefèvre', given: ['Anaïs', 'Marie'] }] })
    expect(resourcesOf(after.get('structure:ej:2') ?? {}).find((location) => location.id === `ej2-chir-rea-${suffix}`)).toMatchObject({ partOf: { reference: 'Location/ej2-chir' } })
    for (const key of ['structure:ej:1', 'patients:ej:1', 'venues:ej:1']) expect(after.get(key), key).toEqual(cached.get(key))
  })

  it('POST /fhir/import refused (an unknown legal entity, a resource of another one, not FHIR): all or nothing, nothing invalidated', async () => {
    const api = getApi()
    await fetchEveryExport(api)
    const before = builds(api)
    const patient = (id: string, ej: number) => ({
      resource: { resourceType: 'Patient', id, identifier: [{ value: `8${randomInt(1_000_000)}` }], name: [{ family: 'Roux', given: ['Jean'] }], gender: 'male', birthDate: '1960-01-01', managingOrganization: { reference: `Organization/ej-${ej}` } },
    })
    const newId = `ej1-pat-${randomInt(1_000_000)}`
    const refusals = [
      [{ resourceType: 'Bundle', type: 'batch', entry: [patient(newId, 1), patient(`x-${randomInt(1_000_000)}`, 999)] }, 422],
      [{ resourceType: 'Bundle', type: 'batch', entry: [patient('ej2-pat-1', 1)] }, 422],
      [{ resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Observation', id: 'o1' } }] }, 400],
      [{ resourceType: 'Patient', id: 'p' }, 400],
    ] as const
    for (const [payload, status] of refusals) expect((await api.app.inject({ method: 'POST', url: '/fhir/import', payload })).statusCode).toBe(status)
    const { rows } = await api.db.query('SELECT 1 FROM fhir_patient WHERE id = $1', [newId])
    expect(rows).toEqual([])
    await fetchEveryExport(api)
    expect(buildsBetween(before, builds(api))).toEqual(only({}))
  })
}
