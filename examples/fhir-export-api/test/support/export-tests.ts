import { expect, it, vi } from 'vitest'
import type { FhirResource } from '../../src/fhir/bundle.js'
import { builds, buildsBetween, EVERY_EXPORT, fetchEveryExport, fetchExport, TEST_BASE_URL, TEST_REVALIDATE_WINDOW_MS, type ApiContext } from './api-suite.js'

const resourcesOf = (bundle: { entry?: readonly { resource: FhirResource }[] }) => (bundle.entry ?? []).map((entry) => entry.resource)
const until = (check: () => unknown) => vi.waitFor(check, { timeout: 5_000, interval: 20 })

/** The value of one Prometheus sample line starting with `name{` and holding every label given; 0 when absent. */
export function sample(text: string, name: string, labels: readonly string[]): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && labels.every((label) => line.includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

/** GET /fhir/export/:type: the Bundles, the ETag and 304, the errors, conditional refresh, the metrics. */
export function defineExportTests(getApi: () => ApiContext): void {
  it('serves each export of EJ 1 and EJ 2 as a FHIR R4 collection Bundle valid against the official schema, built once then from the cache', async () => {
    const api = getApi()
    const before = builds(api)
    const first = await fetchEveryExport(api)
    const second = await fetchEveryExport(api)
    expect(second).toEqual(first)
    // One build per export: the second round is served from the cache.
    expect(Object.values(buildsBetween(before, builds(api)))).toEqual(EVERY_EXPORT.map(() => 1))

    const structure = first.get('structure:ej:1')
    expect(structure).toMatchObject({ resourceType: 'Bundle', type: 'collection', meta: { versionId: expect.stringMatching(/^\d+$/) } })
    const [organization, ...locations] = resourcesOf(structure ?? {})
    expect(organization).toMatchObject({ resourceType: 'Organization', id: 'ej-1', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '690000011' }] })
    expect(locations.map((location) => location.resourceType)).toEqual(locations.map(() => 'Location'))
    expect(locations.find((location) => location.id === 'ej1-card-usic-101')).toMatchObject({
      physicalType: { coding: [{ code: 'bd' }] },
      partOf: { reference: 'Location/ej1-card-usic' },
      managingOrganization: { reference: 'Organization/ej-1' },
    })
    expect(structure?.entry?.[0]?.fullUrl).toBe(`${TEST_BASE_URL}/Organization/ej-1`)

    const patients = resourcesOf(first.get('patients:ej:2') ?? {})
    expect(patients.map((patient) => patient.resourceType)).toEqual(patients.map(() => 'Patient'))
    expect(patients.find((patient) => patient.id === 'ej2-pat-2')).toMatchObject({ name: [{ family: 'Traoré', given: ['Awa'] }], gender: 'female', birthDate: '1992-09-09' })

    const encounters = resourcesOf(first.get('venues:ej:1') ?? {})
    const stay = encounters.find((encounter) => encounter.id === 'ej1-sej-2')
    expect(stay).toMatchObject({ resourceType: 'Encounter', status: 'finished', subject: { reference: 'Patient/ej1-pat-2' } })
    expect(stay?.['location']).toEqual([
      { location: { reference: 'Location/ej1-urg-box' }, status: 'completed', period: { start: '2024-12-20T22:40:00Z', end: '2024-12-21T03:10:00Z' } },
      { location: { reference: 'Location/ej1-card-usic-102' }, status: 'completed', period: { start: '2024-12-21T03:10:00Z', end: '2024-12-27T11:00:00Z' } },
    ])
  })

  it('answers an ETag from the version, 304 to a matching If-None-Match (weak or strong, in a list, or *), 200 to another', async () => {
    const api = getApi()
    const { bundle, etag } = await fetchExport(api, 'patients', 1)
    expect(etag).toBe(`W/"patients-ej1-v${bundle.meta?.versionId}"`)
    for (const ifNoneMatch of [etag as string, (etag as string).slice(2), `"other", ${etag}`, '*']) {
      const response = await api.app.inject({ method: 'GET', url: '/fhir/export/patients?ej=1', headers: { 'if-none-match': ifNoneMatch } })
      expect(response.statusCode).toBe(304)
      expect(response.body).toBe('')
      expect(response.headers['etag']).toBe(etag)
    }
    await fetchExport(api, 'patients', 1, { 'if-none-match': 'W/"patients-ej1-v0"' })
  })

  it('404 for an unknown export type or legal entity, 400 for a malformed ej; nothing is cached for them', async () => {
    const api = getApi()
    const unknownType = await api.app.inject({ method: 'GET', url: '/fhir/export/medications?ej=1' })
    expect(unknownType.statusCode).toBe(404)
    expect(unknownType.json()).toMatchObject({ types: ['structure', 'patients', 'venues'] })
    for (const ej of ['', 'abc', '0', '-1', '1.5', '*', '1%3A2', '1234567890']) {
      expect((await api.app.inject({ method: 'GET', url: `/fhir/export/venues?ej=${ej}` })).statusCode, ej).toBe(400)
    }
    expect((await api.app.inject({ method: 'GET', url: '/fhir/export/venues' })).statusCode).toBe(400)
    expect((await api.app.inject({ method: 'GET', url: '/fhir/export/venues?ej=1&ej=2' })).statusCode).toBe(400)
    const unknownEj = await api.app.inject({ method: 'GET', url: '/fhir/export/structure?ej=999' })
    expect(unknownEj.statusCode).toBe(404)
    expect(unknownEj.json()).toEqual({ error: 'Entité juridique inconnue' })
    expect(await api.caches.driver.get('fhir:export:structure:ej:999')).toBeNull()
  })

  it('conditional refresh: an export near its expiry is renewed, not rebuilt, while the database version is the same; rebuilt once it changed', async () => {
    const api = getApi()
    const key = 'fhir:export:venues:ej:2'
    const { bundle } = await fetchExport(api, 'venues', 2)
    const stored = await api.caches.driver.get(key)
    const before = builds(api)
    const { notModified } = api.service.stats()

    // Within the revalidation window: a read serves the export and revalidates it behind. Core
    // reads the remaining TTL at most every window / 8 per key, so the reads repeat until it has.
    await api.caches.driver.pexpire(key, TEST_REVALIDATE_WINDOW_MS - 500)
    await until(async () => {
      expect((await fetchExport(api, 'venues', 2)).bundle).toEqual(bundle)
      expect(api.service.stats().notModified).toBe(notModified + 1)
    })
    // Renewed for the venues TTL (5 min) with one PEXPIRE: the very bytes stay, nothing was built.
    await until(async () => expect(await api.caches.driver.pttl(key)).toBeGreaterThan(290_000))
    expect(await api.caches.driver.get(key)).toBe(stored)
    expect(buildsBetween(before, builds(api))['venues:ej:2']).toBe(0)

    // A write that did not invalidate (another process, a script): the version moved on.
    await api.db.query("UPDATE fhir_export_version SET version = version + 1 WHERE ej_id = 2 AND export_type = 'venues'")
    await api.caches.driver.pexpire(key, TEST_REVALIDATE_WINDOW_MS - 500)
    // Served from the cache at once (the old version) while the new one is built behind it.
    await until(async () => {
      expect((await fetchExport(api, 'venues', 2)).bundle.meta?.versionId).toBe(String(Number(bundle.meta?.versionId) + 1))
    })
    expect(buildsBetween(before, builds(api))['venues:ej:2']).toBe(1)
    expect(api.caches.exports.stats().renewals).toBeGreaterThanOrEqual(1)
  })

  it('/metrics shows fhir_export_duration with cache="hit" and cache="miss" series, next to cache_hits_total', async () => {
    const api = getApi()
    const read = async () => {
      const response = await api.app.inject({ method: 'GET', url: '/metrics' })
      expect(response.statusCode).toBe(200)
      return response.body
    }
    const before = await read()
    await fetchExport(api, 'structure', 2) // miss: built
    await fetchExport(api, 'structure', 2) // hit
    const after = await read()
    for (const cache of ['hit', 'miss']) {
      const labels = [`cache="${cache}"`, 'key_prefix="fhir_export"']
      expect(sample(after, 'fhir_export_duration_count', labels) - sample(before, 'fhir_export_duration_count', labels), cache).toBe(1)
      expect(sample(after, 'fhir_export_duration_bucket', [...labels, 'le="+Inf"'])).toBe(sample(after, 'fhir_export_duration_count', labels))
      expect(after).toMatch(new RegExp(`^fhir_export_duration_sum\\{cache="${cache}",key_prefix="fhir_export"`, 'm'))
    }
    expect(after.match(/^# TYPE fhir_export_duration histogram$/gm)).toHaveLength(1)
    expect(sample(after, 'cache_hits_total', ['key_prefix="fhir_export"'])).toBeGreaterThan(sample(before, 'cache_hits_total', ['key_prefix="fhir_export"']))
  })
}
