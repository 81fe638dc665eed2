import { CalendarDateSchema, DuplicatePatientError, isDuplicatePatientError, normalizePersonName, type PatientIdentity } from '@cachette/patient'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { AppCaches } from '../caches.js'
import { isIdentityConflict, sqlState, type Database } from '../db/database.js'
import { duplicateExists, insertPatient, loadPatient, lockPatient, searchPatientRows, updatePatient } from '../db/patient-repository.js'

// Patient codes look like CI-20250108-00001; anything else is refused before it reaches a key or a query.
const PATIENT_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
// PostgreSQL text cannot hold NUL (22021): refused here, with a 400, instead of a 500 from the database.
const noNul = (value: string) => !value.includes('\u0000')
const NUL_MESSAGE = 'must not contain a NUL character'
// A real calendar date, years 0001 to 9999 (CalendarDateSchema: no 2023-02-30, no 0000-00-00); the
// CHECK constraint then refuses a birth date in the future (422, the rollback demo).
const DATE = CalendarDateSchema
const text = (max: number) => z.string().trim().min(1).max(max).refine(noNul, NUL_MESSAGE)
const optionalText = (max: number) => z.string().trim().max(max).refine(noNul, NUL_MESSAGE).nullish()

// Names must keep a letter once normalized for the duplicate rule (a name of accents alone would
// have no fingerprint: identityFingerprint refuses it).
const personName = (max: number) => text(max).refine((value) => normalizePersonName(value) !== '', 'must contain a letter')

const AssuranceBody = z.object({ id: z.guid(), nom: text(100), numero: text(100), type: text(50) })

const CreatePatientBody = z.strictObject({
  nom: personName(100),
  prenoms: personName(200),
  date_naissance: DATE,
  sexe: z.enum(['M', 'F']),
  nationalite_id: z.guid().nullish(),
  situation_matrimoniale_id: z.guid().nullish(),
  telephone_principal: optionalText(30),
  telephone_secondaire: optionalText(30),
  email: z.email().max(200).nullish(),
  adresse_complete: optionalText(300),
  ville: optionalText(100),
  commune: optionalText(100),
  est_assure: z.boolean().optional(),
  assurances: z.array(AssuranceBody).max(10).optional(),
})

// A PATCH may change any field a POST sets except the insurances, plus the status; every field is
// optional and unknown fields are refused, as for a POST.
const PatchPatientBody = CreatePatientBody.omit({ assurances: true })
  .extend({ statut: z.enum(['actif', 'inactif', 'decede']) })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'nothing to change')

const SearchQuery = z.object({ q: z.string().max(200).refine(noNul, NUL_MESSAGE).optional(), limit: z.coerce.number().int().min(1).max(50).optional() })

/**
 * A 400 naming each invalid field and what is wrong with it, never the value received (zod's messages
 * do not quote values; an unknown field is reported without its name, which a client could fill with data).
 */
function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const details = error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`)
  return reply.code(400).send({ error: 'Requête invalide', details })
}

const DUPLICATE = { error: 'Patient en doublon', raison: 'exists' } as const

/** SQLSTATEs of a row the database refused (CHECK, NOT NULL, bad date): the transaction rolled back, nothing changed. */
const REFUSED_BY_DATABASE = new Set(['23514', '23502', '22007', '22008'])

/**
 * Seed 000's patient routes: access by code (cache-aside), creation under the anti-duplicate lock,
 * update with invalidation after commit, search straight on PostgreSQL.
 *
 * @example
 * ```ts
 * registerPatientRoutes(app, { db, caches, etablissement })
 * ```
 */
export function registerPatientRoutes(app: FastifyInstance, { db, caches, etablissement }: { db: Database; caches: AppCaches; etablissement: string }): void {
  const { patients } = caches

  // The seed's PatientAccessMiddleware: 400 without a code, 404 unknown, 403 inactive.
  app.get<{ Params: { code?: string } }>('/patients/:code', async (request, reply) => {
    const code = request.params.code?.trim() ?? ''
    if (code === '') return reply.code(400).send({ error: 'Code patient requis' })
    if (!PATIENT_CODE.test(code)) return reply.code(400).send({ error: 'Code patient invalide' })
    const patient = await patients.getByCode(code, (c) => loadPatient(db, c))
    if (patient === undefined) return reply.code(404).send({ error: 'Patient introuvable' })
    if (patient.statut !== 'actif') return reply.code(403).send({ error: 'Patient inactif' })
    return patient
  })

  app.post('/patients', async (request, reply) => {
    const parsed = CreatePatientBody.safeParse(request.body)
    if (!parsed.success) return invalid(reply, parsed.error)
    const body = parsed.data
    const identity: PatientIdentity = { nom: body.nom, prenoms: body.prenoms, date_naissance: body.date_naissance }
    try {
      const patient = await patients.createWithLock(identity, () =>
        db.transaction(async (tx) => {
          // Seed 000, step 1: the database check. The lock narrows the race between it and the INSERT;
          // the UNIQUE index on cle_doublon closes it (the lock is skipped while the cache is down).
          const fingerprint = patients.identityFingerprint(identity)
          if (await duplicateExists(tx, fingerprint)) throw new DuplicatePatientError('exists')
          return insertPatient(tx, body, { etablissement, fingerprint })
        }),
      )
      return reply.code(201).header('location', `/patients/${patient.code_patient}`).send(patient)
    } catch (error) {
      if (isDuplicatePatientError(error)) return reply.code(409).send({ error: 'Patient en doublon', raison: error.reason })
      // Two creations of one person that raced past the lock (cache down) and the check: the UNIQUE
      // index on the fingerprint refused the second INSERT.
      if (isIdentityConflict(error)) return reply.code(409).send(DUPLICATE)
      if (REFUSED_BY_DATABASE.has(sqlState(error) ?? '')) return reply.code(422).send({ error: 'Patient refusé par la base de données' })
      throw error
    }
  })

  app.patch<{ Params: { code: string } }>('/patients/:code', async (request, reply) => {
    const code = request.params.code.trim()
    if (!PATIENT_CODE.test(code)) return reply.code(400).send({ error: 'Code patient invalide' })
    const parsed = PatchPatientBody.safeParse(request.body)
    if (!parsed.success) return invalid(reply, parsed.error)
    const changes = parsed.data
    try {
      // The cache entry is deleted only once the transaction has committed; a rollback leaves it untouched.
      const updated = await patients.invalidateAfterCommit(code, () =>
        db.transaction(async (tx) => {
          const current = await lockPatient(tx, code)
          if (current === undefined) return undefined
          // Recomputed from the identity after the changes: a collision with another patient fails
          // on the UNIQUE index (409 below), whichever identity field changed.
          const fingerprint = patients.identityFingerprint({
            nom: changes.nom ?? current.nom,
            prenoms: changes.prenoms ?? current.prenoms,
            date_naissance: changes.date_naissance ?? current.date_naissance,
          })
          return updatePatient(tx, code, changes, fingerprint)
        }),
      )
      if (updated === undefined) return reply.code(404).send({ error: 'Patient introuvable' })
      return updated
    } catch (error) {
      // The new name, first names or birth date are another patient's: one person, one record.
      if (isIdentityConflict(error)) return reply.code(409).send(DUPLICATE)
      if (REFUSED_BY_DATABASE.has(sqlState(error) ?? '')) return reply.code(422).send({ error: 'Modification refusée par la base de données ; rien n’a changé' })
      throw error
    }
  })

  // Searches are never cached (seed 000): straight to PostgreSQL's search_vector.
  app.get('/patients', async (request, reply) => {
    const parsed = SearchQuery.safeParse(request.query)
    if (!parsed.success) return invalid(reply, parsed.error)
    const { q, limit } = parsed.data
    if (q === undefined || q.trim() === '') return reply.code(400).send({ error: 'Paramètre q requis' })
    const results = await patients.search(q, (criteria) => searchPatientRows(db, criteria.term, criteria.limit), limit === undefined ? {} : { limit })
    return { results }
  })
}
