import { expect, it } from 'vitest'
import { builds, buildsBetween, fetchExport, type ApiContext } from './api-suite.js'
import { fhirProblems } from './fhir-schema.js'
import { seedPython } from './seed-python.js'

/** A patients Bundle as seed 002's Python service would build it (its own versionId, accents). */
const PYTHON_BUNDLE = {
  resourceType: 'Bundle',
  id: 'patients-ej-2',
  meta: { versionId: 'py-7', lastUpdated: '2025-01-08T14:30:00Z' },
  type: 'collection',
  entry: [
    {
      fullUrl: 'http://python.example/fhir/Patient/ej2-pat-1',
      resource: {
        resourceType: 'Patient',
        id: 'ej2-pat-1',
        name: [{ family: 'Bernard', given: ['Louis', 'Éloi'] }],
        gender: 'male',
        birthDate: '1949-05-21',
        managingOrganization: { reference: 'Organization/ej-2' },
      },
    },
  ],
}

/** Seed 002's Python service and this service on one redis-server: the same keys, the same JSON. */
export function definePythonInteropTests(getApi: () => ApiContext): void {
  it('the Python service reads fhir:export:venues:ej:1 with json.loads and gets the Bundle served over HTTP, with the venues TTL', async () => {
    const api = getApi()
    const redis = api.redis
    if (redis === undefined) throw new Error('a redis suite')
    const { bundle } = await fetchExport(api, 'venues', 1)
    const read = seedPython(redis.url, 'read', 'venues', '1')
    expect(read['bundle']).toEqual(bundle)
    expect(read['ttl']).toBeGreaterThan(290)
    expect(read['ttl']).toBeLessThanOrEqual(300)
  })

  it('a Bundle the Python service wrote with SETEX at fhir:export:patients:ej:2 is what GET /fhir/export/patients?ej=2 serves, without a build', async () => {
    const api = getApi()
    const redis = api.redis
    if (redis === undefined) throw new Error('a redis suite')
    expect(fhirProblems(PYTHON_BUNDLE)).toEqual([])
    expect(seedPython(redis.url, 'write', 'patients', '2', JSON.stringify(PYTHON_BUNDLE))).toEqual({ key: 'fhir:export:patients:ej:2', ttl: 600 })
    const before = builds(api)
    const { bundle, etag } = await fetchExport(api, 'patients', 2)
    expect(bundle).toEqual(PYTHON_BUNDLE)
    expect(etag).toBe('W/"patients-ej2-vpy-7"')
    expect(buildsBetween(before, builds(api))['patients:ej:2']).toBe(0)
    expect(api.caches.cache.stats().decodeFailures).toBe(0)
  })

  it("an entry the Python side left that is not a Bundle is not served: it is a miss, and the export is built again", async () => {
    const api = getApi()
    const redis = api.redis
    if (redis === undefined) throw new Error('a redis suite')
    seedPython(redis.url, 'write', 'structure', '2', JSON.stringify({ error: 'timeout' }))
    const before = builds(api)
    const { bundle } = await fetchExport(api, 'structure', 2)
    expect(bundle.resourceType).toBe('Bundle')
    expect(buildsBetween(before, builds(api))['structure:ej:2']).toBe(1)
  })
}
