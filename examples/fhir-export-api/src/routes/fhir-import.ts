import type { FhirExportCache } from '@cachette/fhir-export'
import type { FastifyInstance } from 'fastify'
import { sqlState, type Database } from '../db/database.js'
import { upsertPatient } from '../db/patient-repository.js'
import { upsertLocation } from '../db/structure-repository.js'
import { bumpVersions } from '../db/versions.js'
import type { ExportType } from '../export-types.js'
import type { FhirBundle } from '../fhir/bundle.js'
import { ImportBundleBody, importRows, type ImportRows } from '../fhir/import-bundle.js'
import { invalid, invalidateAfterCommit, WriteRefused } from './write-support.js'

/** The exports whose source an import changed, per legal entity: what their versions bump. */
function touchedTypes(rows: ImportRows, ejId: number): ExportType[] {
  const types: ExportType[] = []
  if (rows.locations.some((location) => location.ej_id === ejId)) types.push('structure')
  if (rows.patients.some((patient) => patient.ej_id === ejId)) types.push('patients')
  return types
}

/**
 * `POST /fhir/import`: a FHIR Bundle of Patient and Location resources, for one or more legal
 * entities (each resource's `managingOrganization`: `Organization/ej-<n>`), written in one
 * transaction (all or nothing). Then seed 002's rule drops every export of the legal entities it
 * touched (`fhirImported([...])`: `fhir:export:*:ej:<n>` each), and only theirs.
 *
 * @example
 * ```ts
 * registerImportRoutes(app, { db, exports })
 * ```
 */
export function registerImportRoutes(app: FastifyInstance, { db, exports }: { db: Database; exports: FhirExportCache<FhirBundle> }): void {
  app.post('/fhir/import', async (request, reply) => {
    const parsed = ImportBundleBody.safeParse(request.body)
    if (!parsed.success) return invalid(reply, parsed.error)
    const rows = importRows(parsed.data)
    try {
      await db.transaction(async (tx) => {
        for (const location of rows.locations) {
          if (!(await upsertLocation(tx, location))) throw new WriteRefused(422, 'Un lieu (ou son parent) appartient à une autre entité juridique ; rien n’a été importé')
        }
        for (const patient of rows.patients) {
          if (!(await upsertPatient(tx, patient))) throw new WriteRefused(422, 'Un patient appartient à une autre entité juridique ; rien n’a été importé')
        }
        for (const ejId of rows.ejIds) await bumpVersions(tx, ejId, touchedTypes(rows, ejId))
      })
    } catch (error) {
      if (error instanceof WriteRefused) return reply.code(error.status).send({ error: error.answer })
      // 23503: a legal entity or a parent location that does not exist; 23505: an IPP already another patient's.
      const state = sqlState(error)
      if (state === '23503' || state === '23505') return reply.code(422).send({ error: 'Import refusé par la base de données ; rien n’a été importé', code: state })
      throw error
    }
    const cache = await invalidateAfterCommit(request.log, () => exports.fhirImported(rows.ejIds))
    return reply.send({ imported: { patients: rows.patients.length, locations: rows.locations.length }, ejs: rows.ejIds, cache })
  })
}
