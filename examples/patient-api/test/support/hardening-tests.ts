import { randomUUID } from 'node:crypto'
import { identityFingerprint } from '@cachette/patient'
import { expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { appInstance, failingDriver } from './cache-outage.js'
import { uniqueName, type ApiContext } from './api-suite.js'

/** Letters and digits no request of the suites would send by chance. */
function marker(field: string): string {
  return `Zqx${field}${randomUUID().replaceAll('-', '').slice(0, 10)}`
}

/** A marker made of digits (telephone fields). */
function digitsMarker(): string {
  return `+225 09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
}

/** Values already sent by defineApiTests (seed 000's example patient): they must not be logged either. */
const SUITE_VALUES = ['Jean Baptiste Marie', '+225 07 12 34 56 78', '+225 01 98 76 54 32', 'jean.kouadio@example.com', 'Angré 8ème tranche', 'MUGEF-2024-12345', 'Adjoua', 'Séraphine']

const BAD_DATES = ['2023-02-30', '0000-00-00', '2023-02-29', '1900-02-29', '2023-13-01', '2023-04-31', '0000-01-01']

/**
 * Input hardening, duplicates and the logs: the tests every (database, cache store) pair must pass
 * beyond defineApiTests. Call it after defineApiTests, in the same describe: its last test reads the
 * logs of the whole suite.
 */
export function defineHardeningTests(getApi: () => ApiContext): void {
  const sent: string[] = [...SUITE_VALUES]
  const remember = <T extends string>(value: T): T => {
    sent.push(value)
    return value
  }

  function markedPatient() {
    return {
      nom: remember(marker('nom')),
      prenoms: remember(marker('prenoms')),
      date_naissance: '1979-11-23',
      sexe: 'F',
      telephone_principal: remember(digitsMarker()),
      telephone_secondaire: remember(digitsMarker()),
      email: remember(`${marker('email').toLowerCase()}@example.org`),
      adresse_complete: remember(marker('adresse')),
      ville: remember(marker('ville')),
      commune: remember(marker('commune')),
      assurances: [{ id: randomUUID(), nom: remember(marker('assureur')), numero: remember(marker('numero')), type: 'principal' }],
    }
  }

  it('answers 400 to a NUL in any text field or in q, without echoing the value', async () => {
    const api = getApi()
    const fields = ['nom', 'prenoms', 'telephone_principal', 'telephone_secondaire', 'adresse_complete', 'ville', 'commune'] as const
    for (const field of fields) {
      const payload = { ...markedPatient(), [field]: `${remember(marker(field))}\u0000x` }
      const response = await api.app.inject({ method: 'POST', url: '/patients', payload })
      expect(response.statusCode, field).toBe(400)
      expect(response.json(), field).toMatchObject({ error: 'Requête invalide' })
      expect(response.body, field).not.toContain(payload[field].slice(0, 12))
      expect(response.body).toContain(field)
    }
    const base = markedPatient()
    const withNulInInsurance = { ...base, assurances: [{ ...base.assurances[0], numero: `${remember(marker('numero'))}\u0000` }] }
    expect((await api.app.inject({ method: 'POST', url: '/patients', payload: withNulInInsurance })).statusCode).toBe(400)

    const created = await api.app.inject({ method: 'POST', url: '/patients', payload: markedPatient() })
    expect(created.statusCode).toBe(201)
    const code = created.json().code_patient as string
    for (const field of [...fields, 'email'] as const) {
      const response = await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { [field]: `${remember(marker(field))}\u0000` } })
      expect(response.statusCode, field).toBe(400)
    }
    const q = remember(marker('q'))
    const search = await api.app.inject({ method: 'GET', url: `/patients?q=${q}%00` })
    expect(search.statusCode).toBe(400)
    expect(search.body).not.toContain(q)
    // Names that normalize to nothing (accents alone) have no fingerprint: a 400, not a 500.
    expect((await api.app.inject({ method: 'POST', url: '/patients', payload: { ...markedPatient(), nom: '\u0301\u0301' } })).statusCode).toBe(400)
  })

  it.each(BAD_DATES)('answers 400 to the birth date %s (not a calendar date), in a POST and a PATCH', async (date) => {
    const api = getApi()
    const refused = await api.app.inject({ method: 'POST', url: '/patients', payload: { ...markedPatient(), date_naissance: date } })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toEqual({ error: 'Requête invalide', details: ['date_naissance: expected a calendar date YYYY-MM-DD'] })
    const created = await api.app.inject({ method: 'POST', url: '/patients', payload: markedPatient() })
    const patch = await api.app.inject({ method: 'PATCH', url: `/patients/${created.json().code_patient}`, payload: { date_naissance: date } })
    expect(patch.statusCode).toBe(400)
    expect(patch.body).not.toContain(date)
  })

  it('registers birth dates of years 1 to 99 and of leap days (real calendar dates)', async () => {
    const api = getApi()
    for (const date of ['0001-01-01', '0099-12-31', '0100-03-01', '0004-02-29', '2000-02-29', '2024-02-29']) {
      const created = await api.app.inject({ method: 'POST', url: '/patients', payload: { nom: uniqueName('Ancien'), prenoms: 'Aya', date_naissance: date, sexe: 'F' } })
      expect(created.statusCode, date).toBe(201)
      expect(created.json().date_naissance).toBe(date)
      const read = await api.app.inject({ method: 'GET', url: `/patients/${created.json().code_patient}` })
      expect(read.json().date_naissance).toBe(date)
    }
  })

  it('keeps creating distinct codes once the sequence passes 99,999 (codes grow past 5 digits)', async () => {
    const api = getApi()
    // Never backwards: both suites of a file share the database and its sequence.
    await api.db.query("SELECT setval('patients_patient_code_seq', GREATEST((SELECT last_value FROM patients_patient_code_seq), 99997))")
    const codes: string[] = []
    for (let index = 0; index < 15; index++) {
      const created = await api.app.inject({ method: 'POST', url: '/patients', payload: { nom: uniqueName('Sequence'), prenoms: 'Ali', date_naissance: '1988-08-08', sexe: 'M' } })
      expect(created.statusCode).toBe(201)
      codes.push(created.json().code_patient)
    }
    expect(new Set(codes).size).toBe(codes.length)
    for (const code of codes) expect(code).toMatch(/^CI-\d{8}-\d{5,}$/)
    const numbers = codes.map((code) => Number(code.slice(code.lastIndexOf('-') + 1)))
    expect(numbers.every((number, index) => index === 0 || number > (numbers[index - 1] as number))).toBe(true)
    expect(numbers.at(-1)).toBeGreaterThan(100_000)
    for (const code of codes) expect((await api.app.inject({ method: 'GET', url: `/patients/${code}` })).statusCode).toBe(200)
  })

  it("refuses (409) a PATCH that gives a patient another patient's identity, and changes nothing", async () => {
    const api = getApi()
    const first = { nom: uniqueName('Yao'), prenoms: 'Kouamé', date_naissance: '1970-07-07', sexe: 'M' }
    const second = { nom: uniqueName('Yao'), prenoms: 'Kouamé', date_naissance: '1970-07-07', sexe: 'M' }
    const a = (await api.app.inject({ method: 'POST', url: '/patients', payload: first })).json()
    const b = (await api.app.inject({ method: 'POST', url: '/patients', payload: second })).json()
    await api.app.inject({ method: 'GET', url: `/patients/${b.code_patient}` })
    const cachedBefore = await api.caches.driver.hgetall(api.caches.patients.keyOf(b.code_patient))

    // The same person as `a`, typed differently: same fingerprint.
    const collision = await api.app.inject({ method: 'PATCH', url: `/patients/${b.code_patient}`, payload: { nom: ` ${first.nom.toUpperCase()} `, telephone_principal: '+225 07 10 10 10 10' } })
    expect(collision.statusCode).toBe(409)
    expect(collision.json()).toEqual({ error: 'Patient en doublon', raison: 'exists' })
    const { rows } = await api.db.query<{ nom: string; telephone_principal: string | null }>('SELECT nom, telephone_principal FROM patients_patient WHERE code_patient = $1', [b.code_patient])
    expect(rows[0]).toEqual({ nom: second.nom, telephone_principal: null })
    expect(await api.caches.driver.hgetall(api.caches.patients.keyOf(b.code_patient))).toEqual(cachedBefore)
    expect((await api.app.inject({ method: 'GET', url: `/patients/${b.code_patient}` })).json().nom).toBe(second.nom)

    // Changing the birth date alone is fine, and so is changing it back to its own identity.
    expect((await api.app.inject({ method: 'PATCH', url: `/patients/${b.code_patient}`, payload: { date_naissance: '1970-07-08' } })).statusCode).toBe(200)
    expect((await api.app.inject({ method: 'PATCH', url: `/patients/${b.code_patient}`, payload: { nom: second.nom.toLowerCase() } })).statusCode).toBe(200)
    expect(a.code_patient).not.toBe(b.code_patient)
  })

  it('stores a keyed fingerprint (HMAC with the configured secret), not the plain SHA-256 of the identity', async () => {
    const api = getApi()
    const identity = { nom: uniqueName('Touré'), prenoms: 'Salif', date_naissance: '1960-01-25' }
    const created = await api.app.inject({ method: 'POST', url: '/patients', payload: { ...identity, sexe: 'M' } })
    const { rows } = await api.db.query<{ cle_doublon: string }>('SELECT cle_doublon FROM patients_patient WHERE code_patient = $1', [created.json().code_patient])
    expect(rows[0]?.cle_doublon).toBe(api.caches.patients.identityFingerprint(identity))
    expect(rows[0]?.cle_doublon).not.toBe(identityFingerprint(identity))
  })

  it('answers a database failure with a 500 that logs its code only (not the message, query, parameters or detail)', async () => {
    const api = getApi()
    const leaked = remember(marker('dberror'))
    // What PGlite throws: the query and its parameters on the error; what PostgreSQL throws: a detail.
    const failing: Database = {
      ...api.db,
      query: () => Promise.reject(Object.assign(new Error(`invalid input: "${leaked}"`), { code: 'XX000', detail: `Key (nom)=(${leaked})`, query: 'SELECT 1', params: [leaked] })),
    }
    const instance = await appInstance(failing, failingDriver(), api.etablissement)
    try {
      const code = remember(`CI-${marker('code')}`)
      const response = await instance.app.inject({ method: 'GET', url: `/patients/${code}` })
      expect(response.statusCode).toBe(500)
      expect(response.json()).toEqual({ error: 'Erreur serveur' })
      const logged = instance.logs.join('\n')
      expect(logged).toContain('"code":"XX000"')
      expect(logged).toContain('"route":"/patients/:code"')
      expect(logged).not.toContain(leaked)
      expect(logged).not.toContain(code)
    } finally {
      await instance.close()
    }
  })

  it('writes none of the values it received into its logs: not the body, the query string, the codes, nor database errors', async () => {
    const api = getApi()
    const requestLines = () => api.logs.filter((line) => line.includes('"msg":"request"'))
    const linesBefore = requestLines().length
    const patient = markedPatient()
    const created = await api.app.inject({ method: 'POST', url: '/patients', payload: patient })
    expect(created.statusCode).toBe(201)
    const code = remember(created.json().code_patient as string)
    await api.app.inject({ method: 'GET', url: `/patients/${code}` })
    await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { ville: remember(marker('ville')), telephone_principal: remember(digitsMarker()) } })
    // Errors: a NUL (the database would refuse it), bad dates, a duplicate, a future date (rolled back).
    await api.app.inject({ method: 'POST', url: '/patients', payload: { ...markedPatient(), adresse_complete: `${remember(marker('adresse'))}\u0000` } })
    await api.app.inject({ method: 'POST', url: '/patients', payload: { ...markedPatient(), date_naissance: '2023-02-30' } })
    await api.app.inject({ method: 'POST', url: '/patients', payload: { ...patient, email: remember(`${marker('dup').toLowerCase()}@example.org`) } })
    await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { date_naissance: '2999-01-01', commune: remember(marker('commune')) } })
    await api.app.inject({ method: 'PATCH', url: `/patients/${code}`, payload: { date_naissance: '0000-00-00', nom: `${remember(marker('nom'))}\u0000` } })
    // Searches, and URLs Fastify does not route (404), malforms (400) or finds too long.
    await api.app.inject({ method: 'GET', url: `/patients?q=${remember(marker('q'))}` })
    await api.app.inject({ method: 'GET', url: `/patients?q=${remember(marker('q'))}%00` })
    await api.app.inject({ method: 'GET', url: `/patient?q=${remember(marker('notfound'))}` })
    await api.app.inject({ method: 'GET', url: `/patients/${remember(`CI-${marker('unknown')}`)}?nom=${remember(marker('nom'))}` })
    await api.app.inject({ method: 'GET', url: `/dossiers/${remember(marker('path'))}` })
    await api.app.inject({ method: 'GET', url: `/patients/${remember(marker('badurl'))}%E0%A4%A` })
    await api.app.inject({ method: 'GET', url: `/patients/${remember(marker('long'))}${'x'.repeat(120)}` })
    const badJson = await api.app.inject({ method: 'POST', url: '/patients', headers: { 'content-type': 'application/json' }, payload: `{"nom":"${remember(marker('json'))}",` })
    expect(badJson.statusCode).toBe(400)
    expect(badJson.body).not.toContain('Zqxjson')

    const lines = api.logs
    const logged = lines.join('\n')
    const found = sent.filter((value) => logged.includes(value))
    expect(found).toEqual([])
    expect(logged).not.toMatch(/Zqx/i)
    expect(logged).not.toContain('?')
    expect(logged).not.toContain('2023-02-30')
    // The logger is on: each of the 16 requests above left one redacted line, the malformed URLs too.
    const requests = requestLines()
    expect(requests.length - linesBefore).toBe(16)
    expect(requests.some((line) => line.includes('"route":"/patients/:code"') && line.includes('"status":404'))).toBe(true)
    expect(requests.some((line) => line.includes('"route":"(unmatched)"') && line.includes('"status":404'))).toBe(true)
    for (const line of requests) expect(Object.keys(JSON.parse(line)).sort()).toEqual(['durationMs', 'hostname', 'level', 'method', 'msg', 'pid', 'reqId', 'route', 'status', 'time'])
  })
}
