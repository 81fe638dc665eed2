import { execFile } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { promisify } from 'node:util'
import { PATIENT_HASH_FIELDS } from '@cachette/patient'
import { expect, it } from 'vitest'
import { insertPatient, type NewPatient } from '../../src/db/patient-repository.js'
import { metricValue, uniqueName, type ApiContext } from './api-suite.js'

const run = promisify(execFile)

function newPatient(overrides: Partial<NewPatient> = {}): NewPatient {
  return {
    nom: uniqueName('KOUADIO'),
    prenoms: 'Jean Baptiste Marie',
    date_naissance: '1985-06-15',
    sexe: 'M',
    nationalite_id: '660e8400-e29b-41d4-a716-446655440002',
    situation_matrimoniale_id: '770e8400-e29b-41d4-a716-446655440003',
    telephone_principal: '+225 07 12 34 56 78',
    telephone_secondaire: '+225 01 98 76 54 32',
    email: 'jean.kouadio@example.com',
    adresse_complete: 'Cocody, Angré 8ème tranche, Villa 123',
    ville: 'Abidjan',
    commune: 'Cocody',
    est_assure: true,
    assurances: [{ id: '990e8400-e29b-41d4-a716-446655440005', nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345', type: 'principal' }],
    ...overrides,
  }
}

/** Inserts straight into the database (no cache warming), as another service would. */
async function insertDirectly(api: ApiContext, overrides: Partial<NewPatient> = {}, statut?: string): Promise<string> {
  const patient = newPatient(overrides)
  const row = await insertPatient(api.db, patient, { etablissement: api.etablissement, fingerprint: api.caches.patients.identityFingerprint(patient) })
  if (statut !== undefined) await api.db.query('UPDATE patients_patient SET statut = $2 WHERE code_patient = $1', [row.code_patient, statut])
  return row.code_patient
}

async function cacheStats(api: ApiContext) {
  return (await api.app.inject({ method: 'GET', url: '/cache/stats' })).json()
}

async function metricsText(api: ApiContext): Promise<string> {
  const response = await api.app.inject({ method: 'GET', url: '/metrics' })
  expect(response.statusCode).toBe(200)
  return response.body
}

/** The end-to-end tests every (database, cache store) pair must pass. */
export function defineApiTests(getApi: () => ApiContext): void {
  it('GET /patients/:code misses then hits, visible in /cache/stats and in cache_hits_total / cache_misses_total', async () => {
    const api = getApi()
    const code = await insertDirectly(api)
    const statsBefore = await cacheStats(api)
    const metricsBefore = await metricsText(api)

    const first = await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    const second = await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    expect(first.statusCode).toBe(200)
    expect(second.json()).toEqual(first.json())
    expect(first.json()).toMatchObject({ code_patient: code, est_assure: true, date_naissance: '1985-06-15' })

    const statsAfter = await cacheStats(api)
    expect(statsAfter.patients.misses - statsBefore.patients.misses).toBe(1)
    expect(statsAfter.patients.hits - statsBefore.patients.hits).toBe(1)
    expect(statsAfter.hits - statsBefore.hits).toBe(1)
    expect(statsAfter.misses - statsBefore.misses).toBe(1)
    const metricsAfter = await metricsText(api)
    expect(metricValue(metricsAfter, 'cache_misses_total', 'patient') - metricValue(metricsBefore, 'cache_misses_total', 'patient')).toBe(1)
    expect(metricValue(metricsAfter, 'cache_hits_total', 'patient') - metricValue(metricsBefore, 'cache_hits_total', 'patient')).toBe(1)
    expect(metricsAfter.match(/^# TYPE cache_hits_total counter$/gm)).toHaveLength(1)
  })

  it("answers as the seed's access middleware: 400 without a code, 404 unknown, 403 inactive", async () => {
    const api = getApi()
    const inactive = await insertDirectly(api, {}, 'inactif')
    expect((await api.app.inject({ method: 'GET', url: '/patients/%20' })).statusCode).toBe(400)
    expect((await api.app.inject({ method: 'GET', url: '/patients/a*b' })).statusCode).toBe(400)
    const unknown = await api.app.inject({ method: 'GET', url: '/patients/CI-19000101-99999' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual({ error: 'Patient introuvable' })
    const forbidden = await api.app.inject({ method: 'GET', url: `/patients/${inactive}` })
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.json()).toEqual({ error: 'Patient inactif' })
  })

  it('two concurrent POSTs of the same person (accents and case differing) give one 201 and one 409', async () => {
    const api = getApi()
    const nom = uniqueName('Kouassi')
    const payloads = [
      { nom, prenoms: 'Adjoua Séraphine', date_naissance: '2001-12-31', sexe: 'F' },
      { nom: `  ${nom.toUpperCase()} `, prenoms: 'ADJOUA   SERAPHINE', date_naissance: '2001-12-31', sexe: 'F' },
    ]
    const responses = await Promise.all(payloads.map((payload) => api.app.inject({ method: 'POST', url: '/patients', payload })))
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409])
    const created = responses.find((response) => response.statusCode === 201)?.json()
    // Whether the lock (in_flight) or the database check (exists) refuses the second one depends on
    // how the two interleave (an in-process PGlite can finish the first before the second starts).
    const conflict = responses.find((response) => response.statusCode === 409)?.json()
    expect(conflict).toMatchObject({ error: 'Patient en doublon' })
    expect(['in_flight', 'exists']).toContain(conflict.raison)
    // Warmed at creation: the first read is already a hit.
    const hitsBefore = (await cacheStats(api)).patients.hits
    expect((await api.app.inject({ method: 'GET', url: `/patients/${created.code_patient}` })).statusCode).toBe(200)
    expect((await cacheStats(api)).patients.hits).toBe(hitsBefore + 1)
    // Later, the database check still refuses the same person (the lock was released).
    const again = await api.app.inject({ method: 'POST', url: '/patients', payload: payloads[1] })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ raison: 'exists' })
  })

  it('refuses a creation while another service holds the lock of the same person (seed 000 lock key)', async () => {
    const api = getApi()
    const identity = { nom: uniqueName('Bamba'), prenoms: 'Mariam', date_naissance: '1999-09-09' }
    const lockKey = `soins_suite_patient_lock:${api.caches.patients.identityFingerprint(identity)}`
    await api.caches.driver.set(lockKey, 'autre-etablissement', { ttlMs: 60_000, condition: 'nx' })
    const refused = await api.app.inject({ method: 'POST', url: '/patients', payload: { ...identity, nom: identity.nom.toLowerCase(), sexe: 'F' } })
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ raison: 'in_flight' })
    expect(await api.caches.driver.get(lockKey)).toBe('autre-etablissement')
    await api.caches.driver.delete([lockKey])
    expect((await api.app.inject({ method: 'POST', url: '/patients', payload: { ...identity, sexe: 'F' } })).statusCode).toBe(201)
  })

  it('a PATCH whose transaction rolls back leaves the cached record unchanged; a committed one is visible on the next GET', async () => {
    const api = getApi()
    const code = await insertDirectly(api)
    const key = api.caches.patients.keyOf(code)
    await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    const cachedBefore = await api.caches.driver.hgetall(key)
    expect(cachedBefore.telephone_principal).toBe('+225 07 12 34 56 78')

    // The UPDATE violates CHECK (date_naissance <= CURRENT_DATE): PostgreSQL rolls the transaction back.
    const refused = await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { telephone_principal: '+225 07 00 00 00 01', date_naissance: '2999-01-01' } })
    expect(refused.statusCode).toBe(422)
    expect(await api.caches.driver.hgetall(key)).toEqual(cachedBefore)
    expect(await api.caches.driver.pttl(key)).toBeGreaterThan(0)
    const unchanged = await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    expect(unchanged.json().telephone_principal).toBe('+225 07 12 34 56 78')

    const committed = await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { telephone_principal: '+225 07 00 00 00 02' } })
    expect(committed.statusCode).toBe(200)
    // Invalidated after the commit: the HASH is replaced by the fence's tombstone (a miss for every instance).
    expect(await api.caches.driver.get(key)).toMatch(/^@cf /)
    const fresh = await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    expect(fresh.json().telephone_principal).toBe('+225 07 00 00 00 02')
    expect((await api.caches.driver.hgetall(key)).telephone_principal).toBe('+225 07 00 00 00 02')
  })

  it("stores seed 000's HASH with exactly its field names, and reads back a HASH written by hand", async () => {
    const api = getApi()
    const code = await insertDirectly(api)
    await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    const stored = await api.caches.driver.hgetall(api.caches.patients.keyOf(code))
    expect(Object.keys(stored).sort()).toEqual([...PATIENT_HASH_FIELDS].sort())
    expect(stored).toMatchObject({ code_patient: code, est_assure: 'true', date_naissance: '1985-06-15', sexe: 'M' })
    expect(stored.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(JSON.parse(stored.assurances as string)).toEqual([{ id: '990e8400-e29b-41d4-a716-446655440005', nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345', type: 'principal' }])

    // A record only the cache has (as another service would have written it): the API serves it.
    const handCode = `CI-20250108-${String(randomInt(10_000, 99_999))}`
    const key = `soins_suite_${api.etablissement}_patient_cache:${handCode}`
    const fields = {
      id: '550e8400-e29b-41d4-a716-446655440001',
      code_patient: handCode,
      nom: 'KOUADIO',
      prenoms: 'Jean Baptiste Marie',
      date_naissance: '1985-06-15',
      sexe: 'M',
      telephone_principal: '+225 07 12 34 56 78',
      adresse_complete: 'Cocody, Angré 8ème tranche, Villa 123',
      etablissement_createur_id: '880e8400-e29b-41d4-a716-446655440004',
      est_assure: 'false',
      statut: 'actif',
      created_at: '2025-01-08T10:00:00Z',
      updated_at: '2025-01-08T14:30:00Z',
      assurances: '[{"id":"990e8400-e29b-41d4-a716-446655440005","nom":"MUGEF-CI","numero":"MUGEF-2024-12345","type":"principal"}]',
    }
    if (api.redis !== undefined) {
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(api.redis.port), 'HSET', key, ...Object.entries(fields).flat()])
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(api.redis.port), 'EXPIRE', key, '3600'])
    } else {
      await api.caches.driver.batch([
        { op: 'hset', key, fields },
        { op: 'pexpire', key, ttlMs: 3_600_000 },
      ])
    }
    const served = await api.app.inject({ method: 'GET', url: `/patients/${handCode}` })
    expect(served.statusCode).toBe(200)
    expect(served.json()).toMatchObject({
      code_patient: handCode,
      est_assure: false,
      created_at: '2025-01-08T10:00:00.000Z',
      email: null,
      assurances: [{ nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345' }],
    })
  })

  it('GET /patients?q= searches PostgreSQL (french search_vector) and never touches the cache', async () => {
    const api = getApi()
    const nom = uniqueName('Diabaté')
    const code = await insertDirectly(api, { nom })
    const before = await cacheStats(api)
    const response = await api.app.inject({ method: 'GET', url: `/patients?q=${encodeURIComponent(nom.split(' ')[1] as string)}` })
    expect(response.statusCode).toBe(200)
    expect(response.json().results.map((row: { code_patient: string }) => row.code_patient)).toContain(code)
    await api.app.inject({ method: 'GET', url: `/patients?q=${encodeURIComponent(nom)}` })
    const after = await cacheStats(api)
    expect(after.patients.searches - before.patients.searches).toBe(2)
    expect(after.hits + after.misses).toBe(before.hits + before.misses)
    expect((await api.app.inject({ method: 'GET', url: '/patients?q=%20' })).statusCode).toBe(400)
  })

  it("caches professionals (10 min) and the dashboard (5 min) under seed 001's identity:* keys", async () => {
    const api = getApi()
    const id = randomInt(1_000, 1_000_000_000)
    await api.db.query('INSERT INTO identity_professional (id, nom, prenoms, specialite, etablissement_id) VALUES ($1, $2, $3, $4, $5)', [id, 'YAO', 'Affoué', 'pédiatrie', api.etablissement])
    const first = await api.app.inject({ method: 'GET', url: `/professionals/${id}` })
    const second = await api.app.inject({ method: 'GET', url: `/professionals/${id}` })
    expect(first.statusCode).toBe(200)
    expect(second.json()).toEqual({ id, nom: 'YAO', prenoms: 'Affoué', specialite: 'pédiatrie', etablissement_id: api.etablissement, actif: true })
    const professionalTtl = await api.caches.driver.pttl(`identity:professional:${id}`)
    expect(professionalTtl).toBeGreaterThan(590_000)
    expect(professionalTtl).toBeLessThanOrEqual(600_000)
    expect((await api.app.inject({ method: 'GET', url: '/professionals/999999999' })).statusCode).toBe(404)

    const dashboard = await api.app.inject({ method: 'GET', url: '/statistics/dashboard' })
    expect(dashboard.json().patients_total).toBeGreaterThan(0)
    await api.db.query('DELETE FROM identity_professional WHERE id = $1', [id])
    // Served from the cache for its TTL: the deletion is not visible yet (seed 001: TTL-only invalidation).
    expect((await api.app.inject({ method: 'GET', url: '/statistics/dashboard' })).json()).toEqual(dashboard.json())
    const dashboardTtl = await api.caches.driver.pttl('identity:stats:dashboard')
    expect(dashboardTtl).toBeGreaterThan(290_000)
    expect(dashboardTtl).toBeLessThanOrEqual(300_000)
  })
}
