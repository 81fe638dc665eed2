import type { Queryable } from './database.js'
import { utc } from './schema.js'

/** A stay in one location, for a period (the end is null while the patient is there). */
export interface MovementRow {
  readonly id: string
  readonly venue_id: string
  readonly location_id: string
  readonly start_at: string
  readonly end_at: string | null
}

/** A venue (séjour): a FHIR Encounter of a patient, with its movements in order. */
export interface VenueRow {
  readonly id: string
  readonly patient_id: string
  readonly class_code: 'IMP' | 'AMB' | 'EMER'
  readonly status: 'in-progress' | 'finished'
  readonly start_at: string
  readonly end_at: string | null
  readonly updated_at: string
  readonly movements: readonly MovementRow[]
}

/** A movement to record (`POST /movements`). */
export interface NewMovement {
  readonly venueId: string
  readonly locationId: string
  /** An ISO 8601 date-time with its offset. */
  readonly start: string
}

/** What {@link insertMovement} did: the movement and its legal entity, or why it refused. */
export type MovementResult =
  | { readonly ok: true; readonly ejId: number; readonly movement: MovementRow }
  | { readonly ok: false; readonly reason: 'unknown-venue' | 'unknown-location' | 'before-venue' | 'before-current-movement' }

/**
 * The venues of a legal entity with their movements.
 *
 * @example
 * ```ts
 * const venues = await loadVenues(db, 1)
 * ```
 */
export async function loadVenues(db: Queryable, ejId: number): Promise<VenueRow[]> {
  const venues = await db.query<Omit<VenueRow, 'movements'>>(
    `SELECT id, patient_id, class_code, status, ${utc('start_at')} AS start_at, ${utc('end_at')} AS end_at, ${utc('updated_at')} AS updated_at
     FROM fhir_venue WHERE ej_id = $1 ORDER BY id`,
    [ejId],
  )
  const movements = await db.query<MovementRow>(
    `SELECT m.id::text AS id, m.venue_id, m.location_id, ${utc('m.start_at')} AS start_at, ${utc('m.end_at')} AS end_at
     FROM fhir_movement m JOIN fhir_venue v ON v.id = m.venue_id WHERE v.ej_id = $1 ORDER BY m.venue_id, m.start_at, m.id`,
    [ejId],
  )
  const byVenue = new Map<string, MovementRow[]>()
  for (const movement of movements.rows) {
    const list = byVenue.get(movement.venue_id) ?? []
    list.push(movement)
    byVenue.set(movement.venue_id, list)
  }
  return venues.rows.map((venue) => ({ ...venue, movements: byVenue.get(venue.id) ?? [] }))
}

/**
 * Records a movement in the caller's transaction: the venue's current movement ends when the new
 * one starts. The location must be a unit or a bed of the venue's legal entity.
 *
 * @example
 * ```ts
 * await insertMovement(tx, { venueId: 'ej1-sej-1', locationId: 'ej1-card-usic-102', start: '2025-01-09T08:00:00Z' })
 * ```
 */
export async function insertMovement(tx: Queryable, movement: NewMovement): Promise<MovementResult> {
  // The venue row is locked: two movements of one venue are recorded one after the other.
  const venues = await tx.query<{ ej_id: number; after_start: boolean }>('SELECT ej_id, $2::timestamptz >= start_at AS after_start FROM fhir_venue WHERE id = $1 FOR UPDATE', [
    movement.venueId,
    movement.start,
  ])
  const venue = venues.rows[0]
  if (venue === undefined) return { ok: false, reason: 'unknown-venue' }
  if (!venue.after_start) return { ok: false, reason: 'before-venue' }
  const locations = await tx.query("SELECT 1 FROM fhir_location WHERE id = $1 AND ej_id = $2 AND kind IN ('unit', 'bed')", [movement.locationId, venue.ej_id])
  if (locations.rows.length === 0) return { ok: false, reason: 'unknown-location' }
  const current = await tx.query<{ id: string; before: boolean }>(
    'SELECT id::text AS id, start_at <= $2::timestamptz AS before FROM fhir_movement WHERE venue_id = $1 AND end_at IS NULL ORDER BY start_at DESC LIMIT 1',
    [movement.venueId, movement.start],
  )
  const open = current.rows[0]
  if (open !== undefined && !open.before) return { ok: false, reason: 'before-current-movement' }
  if (open !== undefined) await tx.query('UPDATE fhir_movement SET end_at = $2::timestamptz WHERE id = $1::bigint', [open.id, movement.start])
  const inserted = await tx.query<MovementRow>(
    `INSERT INTO fhir_movement (venue_id, location_id, start_at) VALUES ($1, $2, $3::timestamptz)
     RETURNING id::text AS id, venue_id, location_id, ${utc('start_at')} AS start_at, ${utc('end_at')} AS end_at`,
    [movement.venueId, movement.locationId, movement.start],
  )
  await tx.query('UPDATE fhir_venue SET updated_at = clock_timestamp() WHERE id = $1', [movement.venueId])
  return { ok: true, ejId: venue.ej_id, movement: inserted.rows[0] as MovementRow }
}
