import { DuplicatePatientError, isDuplicatePatientError, type PatientIdentity } from '@cachette/patient'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { AppCaches } from '../caches.js'
import { sqlState, type Database } from '../db/database.js'
import { duplicateExists, insertPatient, loadPatient, lockPatient, searchPatientRows, updatePatient } from '../db/patient-repository.js'

// Patient codes look like CI-20250108-00001; anything else is refused before it reaches a key or a query.
const PATIENT_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
const text = (max: number) => z.string().trim().min(1).max(max)
const optionalText = (max: number) => z.string().trim().max(max).nullish()

const AssuranceBody = z.object({ id: z.guid(), nom: text(100), numero: text(100), type: text(50) })

const CreatePatientBody = z.strictObject({
  nom: text(100),
  prenoms: text(200),
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

const SearchQuery = z.object({ q: z.string().optional(), limit: z.coerce.number().int().min(1).max(50).optional() })

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({ error: 'Requête invalide', details: error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`) })
}

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
          // Seed 000, step 1: the database check; the lock covers the race between it and the INSERT.
          const fingerprint = patients.identityFingerprint(identity)
          if (await duplicateExists(tx, fingerprint)) throw new DuplicatePatientError('exists')
          return insertPatient(tx, body, { etablissement, fingerprint })
        }),
      )
      return reply.code(201).header('location', `/patients/${patient.code_patient}`).send(patient)
    } catch (error) {
      if (isDuplicatePatientError(error)) return reply.code(409).send({ error: 'Patient en doublon', raison: error.reason })
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
