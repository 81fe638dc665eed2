import type { Queryable } from './database.js'
import { utc } from './schema.js'

/** A legal entity (entité juridique): the Organization of its structure export. */
export interface LegalEntityRow {
  readonly id: number
  readonly finess: string
  readonly name: string
  readonly updated_at: string
}

/** A location of a legal entity: a service, a unit within a service, or a bed within a unit. */
export interface LocationRow {
  readonly id: string
  readonly kind: 'service' | 'unit' | 'bed'
  readonly name: string
  readonly parent_id: string | null
  readonly active: boolean
  readonly updated_at: string
}

/** What the structure export is built from. */
export interface StructureRows {
  readonly entity: LegalEntityRow
  readonly locations: readonly LocationRow[]
}

/** Changes to a legal entity's structure (`PUT /structures/:ej`). */
export interface StructureChanges {
  readonly name?: string | undefined
  readonly locations?: readonly { readonly id: string; readonly name?: string | undefined; readonly active?: boolean | undefined }[] | undefined
}

/**
 * The organization and its locations (services first, then units, then beds), or undefined for an
 * unknown legal entity.
 *
 * @example
 * ```ts
 * const structure = await loadStructure(db, 1)
 * ```
 */
export async function loadStructure(db: Queryable, ejId: number): Promise<StructureRows | undefined> {
  const entities = await db.query<LegalEntityRow>(`SELECT id, finess, name, ${utc('updated_at')} AS updated_at FROM fhir_legal_entity WHERE id = $1`, [ejId])
  const entity = entities.rows[0]
  if (entity === undefined) return undefined
  const { rows } = await db.query<LocationRow>(
    `SELECT id, kind, name, parent_id, active, ${utc('updated_at')} AS updated_at FROM fhir_location WHERE ej_id = $1
     ORDER BY CASE kind WHEN 'service' THEN 0 WHEN 'unit' THEN 1 ELSE 2 END, id`,
    [ejId],
  )
  return { entity, locations: rows }
}

/**
 * Applies structure changes in the caller's transaction. Resolves false when the legal entity, or
 * one of the locations (of that legal entity), does not exist: the caller rolls back.
 *
 * @example
 * ```ts
 * await updateStructure(tx, 1, { name: 'CHU Nord', locations: [{ id: 'ej1-card', name: 'Cardiologie adulte' }] })
 * ```
 */
export async function updateStructure(tx: Queryable, ejId: number, changes: StructureChanges): Promise<boolean> {
  const entity = await tx.query('SELECT id FROM fhir_legal_entity WHERE id = $1 FOR UPDATE', [ejId])
  if (entity.rows.length === 0) return false
  if (changes.name !== undefined) {
    await tx.query('UPDATE fhir_legal_entity SET name = $2, updated_at = clock_timestamp() WHERE id = $1', [ejId, changes.name])
  }
  for (const location of changes.locations ?? []) {
    const { rows } = await tx.query(
      `UPDATE fhir_location SET name = coalesce($3, name), active = coalesce($4, active), updated_at = clock_timestamp()
       WHERE id = $1 AND ej_id = $2 RETURNING id`,
      [location.id, ejId, location.name ?? null, location.active ?? null],
    )
    if (rows.length === 0) return false
  }
  return true
}

/** A location to insert or replace (`POST /fhir/import`). */
export type LocationUpsert = Omit<LocationRow, 'updated_at'> & { readonly ej_id: number }

/**
 * Inserts a location, or replaces the one with the same id, in the caller's transaction. Resolves
 * false when the location, or its parent, belongs to another legal entity: the caller rolls back.
 *
 * @example
 * ```ts
 * await upsertLocation(tx, { id: 'ej2-ped', ej_id: 2, kind: 'service', name: 'Pédiatrie', parent_id: null, active: true })
 * ```
 */
export async function upsertLocation(tx: Queryable, location: LocationUpsert): Promise<boolean> {
  if (location.parent_id !== null) {
    const parent = await tx.query('SELECT 1 FROM fhir_location WHERE id = $1 AND ej_id = $2', [location.parent_id, location.ej_id])
    if (parent.rows.length === 0) return false
  }
  const { rows } = await tx.query(
    `INSERT INTO fhir_location (id, ej_id, kind, name, parent_id, active) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, parent_id = excluded.parent_id, active = excluded.active,
       updated_at = clock_timestamp()
     WHERE fhir_location.ej_id = excluded.ej_id
     RETURNING id`,
    [location.id, location.ej_id, location.kind, location.name, location.parent_id, location.active],
  )
  return rows.length === 1
}
