import type { Queryable } from './database.js'
import { utc } from './schema.js'

/** A patient of a legal entity, identified there by its IPP (identifiant permanent du patient). */
export interface PatientRow {
  readonly id: string
  readonly ipp: string
  readonly family: string
  readonly given: string
  readonly gender: 'male' | 'female' | 'other' | 'unknown'
  readonly birth_date: string
  readonly updated_at: string
}

/** A patient to insert or replace (`POST /fhir/import`). */
export type PatientUpsert = Omit<PatientRow, 'updated_at'> & { readonly ej_id: number }

/**
 * The patients of a legal entity, by id.
 *
 * @example
 * ```ts
 * const patients = await loadPatients(db, 1)
 * ```
 */
export async function loadPatients(db: Queryable, ejId: number): Promise<PatientRow[]> {
  // birth_date as text: a calendar date, which both drivers would turn into a Date at local midnight.
  const { rows } = await db.query<PatientRow>(
    `SELECT id, ipp, family, given, gender, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, ${utc('updated_at')} AS updated_at
     FROM fhir_patient WHERE ej_id = $1 ORDER BY id`,
    [ejId],
  )
  return rows
}

/**
 * Inserts a patient, or replaces the one with the same id, in the caller's transaction. A patient
 * cannot move to another legal entity (resolves false: the caller rolls back).
 *
 * @example
 * ```ts
 * await upsertPatient(tx, { id: 'ej2-pat-9', ej_id: 2, ipp: '200009', family: 'Martin', given: 'Léa', gender: 'female', birth_date: '1990-01-01' })
 * ```
 */
export async function upsertPatient(tx: Queryable, patient: PatientUpsert): Promise<boolean> {
  const { rows } = await tx.query(
    `INSERT INTO fhir_patient (id, ej_id, ipp, family, given, gender, birth_date) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET ipp = excluded.ipp, family = excluded.family, given = excluded.given, gender = excluded.gender,
       birth_date = excluded.birth_date, updated_at = clock_timestamp()
     WHERE fhir_patient.ej_id = excluded.ej_id
     RETURNING id`,
    [patient.id, patient.ej_id, patient.ipp, patient.family, patient.given, patient.gender, patient.birth_date],
  )
  return rows.length === 1
}
