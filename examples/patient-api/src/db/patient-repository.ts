import { PATIENT_SEARCH_SQL, type PatientInput } from '@cachette/patient'
import type { Queryable } from './database.js'

// date_naissance as text: a birth date is a calendar date, and both drivers would otherwise turn it
// into a Date at local midnight (a classic off-by-one-day bug away from UTC).
const PATIENT_COLUMNS = `id, code_patient, nom, prenoms, to_char(date_naissance, 'YYYY-MM-DD') AS date_naissance, sexe,
  nationalite_id, situation_matrimoniale_id, telephone_principal, telephone_secondaire, email,
  adresse_complete, ville, commune, etablissement_createur_id, est_assure, statut, created_at, updated_at, assurances`

/** A patient to insert (the code, fingerprint and establishment come from the service). */
export interface NewPatient {
  readonly nom: string
  readonly prenoms: string
  readonly date_naissance: string
  readonly sexe: 'M' | 'F'
  readonly nationalite_id?: string | null | undefined
  readonly situation_matrimoniale_id?: string | null | undefined
  readonly telephone_principal?: string | null | undefined
  readonly telephone_secondaire?: string | null | undefined
  readonly email?: string | null | undefined
  readonly adresse_complete?: string | null | undefined
  readonly ville?: string | null | undefined
  readonly commune?: string | null | undefined
  readonly est_assure?: boolean | undefined
  readonly assurances?: readonly { id: string; nom: string; numero: string; type: string }[] | undefined
}

/** Fields a PATCH may change. */
export type PatientChanges = Partial<Omit<NewPatient, 'assurances'> & { statut: 'actif' | 'inactif' | 'decede' }>

/** One search result row (seed 000's columns). */
export interface PatientSearchRow {
  readonly code_patient: string
  readonly nom: string
  readonly prenoms: string
  readonly telephone_principal: string | null
  readonly statut: string
}

/**
 * The patient by code, or undefined.
 *
 * @example
 * ```ts
 * await loadPatient(db, 'CI-20250108-00001')
 * ```
 */
export async function loadPatient(db: Queryable, code: string): Promise<PatientInput | undefined> {
  const { rows } = await db.query<PatientInput>(`SELECT ${PATIENT_COLUMNS} FROM patients_patient WHERE code_patient = $1`, [code])
  return rows[0]
}

/**
 * Whether a patient with this identity fingerprint exists (seed 000's duplicate check, in the database).
 *
 * @example
 * ```ts
 * if (await duplicateExists(tx, fingerprint)) throw new DuplicatePatientError('exists')
 * ```
 */
export async function duplicateExists(db: Queryable, fingerprint: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM patients_patient WHERE cle_doublon = $1 LIMIT 1`, [fingerprint])
  return rows.length > 0
}

/**
 * A new patient code, seed 000's `CI-YYYYMMDD-NNNNN`: the UTC date, then the sequence number padded
 * to at least 5 digits and never cut (`CI-20250108-00042`, then past 99,999 `CI-20250108-100000`).
 * `lpad(n, 5, '0')` alone truncates a longer string to 5 characters: 100000 to 100009 all became
 * `10000`, and nine creations in ten collided on the UNIQUE code. The sequence is read once.
 */
const NEW_PATIENT_CODE_SQL = `(SELECT 'CI-' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || lpad(seq.n, greatest(5, length(seq.n)), '0')
       FROM (SELECT nextval('patients_patient_code_seq')::text AS n) AS seq)`

/**
 * Inserts a patient with a new code `CI-YYYYMMDD-NNNNN` (5 digits at least) and returns it. A person
 * already registered (same identity fingerprint) fails with a unique violation: see `isIdentityConflict`.
 *
 * @example
 * ```ts
 * await insertPatient(tx, body, { etablissement, fingerprint })
 * ```
 */
export async function insertPatient(db: Queryable, patient: NewPatient, meta: { etablissement: string; fingerprint: string }): Promise<PatientInput> {
  const { rows } = await db.query<PatientInput>(
    `INSERT INTO patients_patient (code_patient, nom, prenoms, date_naissance, sexe, nationalite_id, situation_matrimoniale_id,
       telephone_principal, telephone_secondaire, email, adresse_complete, ville, commune, etablissement_createur_id, est_assure,
       assurances, cle_doublon)
     VALUES (${NEW_PATIENT_CODE_SQL},
       $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16)
     RETURNING ${PATIENT_COLUMNS}`,
    [
      patient.nom,
      patient.prenoms,
      patient.date_naissance,
      patient.sexe,
      patient.nationalite_id ?? null,
      patient.situation_matrimoniale_id ?? null,
      patient.telephone_principal ?? null,
      patient.telephone_secondaire ?? null,
      patient.email ?? null,
      patient.adresse_complete ?? null,
      patient.ville ?? null,
      patient.commune ?? null,
      meta.etablissement,
      patient.est_assure ?? false,
      JSON.stringify(patient.assurances ?? []),
      meta.fingerprint,
    ],
  )
  return rows[0] as PatientInput
}

/**
 * Locks the patient row for the rest of the transaction and returns it, or undefined.
 *
 * @example
 * ```ts
 * const current = await lockPatient(tx, code)
 * ```
 */
export async function lockPatient(db: Queryable, code: string): Promise<PatientInput | undefined> {
  const { rows } = await db.query<PatientInput>(`SELECT ${PATIENT_COLUMNS} FROM patients_patient WHERE code_patient = $1 FOR UPDATE`, [code])
  return rows[0]
}

const CHANGEABLE = ['nom', 'prenoms', 'date_naissance', 'sexe', 'nationalite_id', 'situation_matrimoniale_id', 'telephone_principal', 'telephone_secondaire', 'email', 'adresse_complete', 'ville', 'commune', 'est_assure', 'statut'] as const

/**
 * Applies changes (and the fingerprint recomputed from the identity after the changes) to a patient;
 * returns the updated row. An identity that is another patient's fails with a unique violation
 * (`isIdentityConflict`): a PATCH cannot make two records of one person.
 *
 * @example
 * ```ts
 * await updatePatient(tx, code, { telephone_principal: '+225 07 00 00 00 00' }, fingerprint)
 * ```
 */
export async function updatePatient(db: Queryable, code: string, changes: PatientChanges, fingerprint: string): Promise<PatientInput | undefined> {
  const sets: string[] = []
  const values: unknown[] = [code, fingerprint]
  for (const column of CHANGEABLE) {
    if (changes[column] === undefined) continue
    values.push(changes[column])
    sets.push(`${column} = $${values.length}`)
  }
  const { rows } = await db.query<PatientInput>(
    `UPDATE patients_patient SET ${[...sets, 'cle_doublon = $2', 'updated_at = now()'].join(', ')} WHERE code_patient = $1 RETURNING ${PATIENT_COLUMNS}`,
    values,
  )
  return rows[0]
}

/**
 * Seed 000's search, straight on PostgreSQL's `search_vector` (never cached).
 *
 * @example
 * ```ts
 * await searchPatientRows(db, 'kouadio', 50)
 * ```
 */
export async function searchPatientRows(db: Queryable, term: string, limit: number): Promise<PatientSearchRow[]> {
  const { rows } = await db.query<PatientSearchRow>(PATIENT_SEARCH_SQL, [term, limit])
  return rows
}
