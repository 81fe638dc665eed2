import type { Queryable } from './database.js'

/** A health professional (seed 001's `/professionals/{id}`). */
export interface Professional {
  readonly id: number
  readonly nom: string
  readonly prenoms: string
  readonly specialite: string
  readonly etablissement_id: string
  readonly actif: boolean
}

/** Seed 001's dashboard: aggregates, fine to serve up to 5 minutes old. */
export interface DashboardStatistics {
  readonly patients_total: number
  readonly patients_actifs: number
  readonly patients_assures: number
  readonly professionnels_total: number
  readonly calcule_le: string
}

/**
 * A professional by id, or undefined.
 *
 * @example
 * ```ts
 * await loadProfessional(db, 123)
 * ```
 */
export async function loadProfessional(db: Queryable, id: number): Promise<Professional | undefined> {
  const { rows } = await db.query<Professional>('SELECT id, nom, prenoms, specialite, etablissement_id, actif FROM identity_professional WHERE id = $1', [id])
  return rows[0]
}

/**
 * Computes the dashboard (a few full-table counts: what the 5-minute cache saves).
 *
 * @example
 * ```ts
 * await computeDashboard(db)
 * ```
 */
export async function computeDashboard(db: Queryable): Promise<DashboardStatistics> {
  const { rows } = await db.query<{ total: number; actifs: number; assures: number; professionnels: number }>(
    `SELECT (SELECT count(*)::int FROM patients_patient) AS total,
            (SELECT count(*)::int FROM patients_patient WHERE statut = 'actif') AS actifs,
            (SELECT count(*)::int FROM patients_patient WHERE est_assure) AS assures,
            (SELECT count(*)::int FROM identity_professional) AS professionnels`,
  )
  const row = rows[0] as { total: number; actifs: number; assures: number; professionnels: number }
  return {
    patients_total: row.total,
    patients_actifs: row.actifs,
    patients_assures: row.assures,
    professionnels_total: row.professionnels,
    calcule_le: new Date().toISOString(),
  }
}
