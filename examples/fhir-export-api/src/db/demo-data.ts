import { EXPORT_TYPES } from '../export-types.js'
import type { Queryable } from './database.js'

/** Two legal entities, each with services, units and beds, a few patients and their stays. */
const DEMO_ENTITIES = [
  {
    id: 1,
    finess: '690000011',
    name: 'Centre hospitalier Lyon-Est',
    locations: [
      ['ej1-card', 'service', 'Cardiologie', null],
      ['ej1-card-usic', 'unit', 'Soins intensifs de cardiologie', 'ej1-card'],
      ['ej1-card-usic-101', 'bed', 'Lit 101', 'ej1-card-usic'],
      ['ej1-card-usic-102', 'bed', 'Lit 102', 'ej1-card-usic'],
      ['ej1-card-hc', 'unit', 'Hospitalisation conventionnelle', 'ej1-card'],
      ['ej1-card-hc-201', 'bed', 'Lit 201', 'ej1-card-hc'],
      ['ej1-urg', 'service', 'Urgences', null],
      ['ej1-urg-box', 'unit', 'Box de consultation', 'ej1-urg'],
    ],
    patients: [
      ['ej1-pat-1', '100001', 'Martin', 'Élodie', 'female', '1984-03-12'],
      ['ej1-pat-2', '100002', 'Kouadio', 'Jean Baptiste', 'male', '1957-11-02'],
      ['ej1-pat-3', '100003', 'Nguyen', 'Thi Mai', 'female', '2001-07-30'],
    ],
    venues: [
      ['ej1-sej-1', 'ej1-pat-1', 'IMP', 'in-progress', '2025-01-06T09:15:00Z', null],
      ['ej1-sej-2', 'ej1-pat-2', 'IMP', 'finished', '2024-12-20T22:40:00Z', '2024-12-27T11:00:00Z'],
      ['ej1-sej-3', 'ej1-pat-3', 'EMER', 'in-progress', '2025-01-08T02:05:00Z', null],
    ],
    movements: [
      ['ej1-sej-1', 'ej1-card-usic-101', '2025-01-06T09:15:00Z', '2025-01-07T16:00:00Z'],
      ['ej1-sej-1', 'ej1-card-hc-201', '2025-01-07T16:00:00Z', null],
      ['ej1-sej-2', 'ej1-urg-box', '2024-12-20T22:40:00Z', '2024-12-21T03:10:00Z'],
      ['ej1-sej-2', 'ej1-card-usic-102', '2024-12-21T03:10:00Z', '2024-12-27T11:00:00Z'],
      ['ej1-sej-3', 'ej1-urg-box', '2025-01-08T02:05:00Z', null],
    ],
  },
  {
    id: 2,
    finess: '690000029',
    name: 'Clinique des Tilleuls',
    locations: [
      ['ej2-chir', 'service', 'Chirurgie orthopédique', null],
      ['ej2-chir-amb', 'unit', 'Chirurgie ambulatoire', 'ej2-chir'],
      ['ej2-chir-amb-1', 'bed', 'Fauteuil 1', 'ej2-chir-amb'],
      ['ej2-chir-hc', 'unit', 'Hospitalisation complète', 'ej2-chir'],
      ['ej2-chir-hc-12', 'bed', 'Lit 12', 'ej2-chir-hc'],
    ],
    patients: [
      ['ej2-pat-1', '200001', 'Bernard', 'Louis', 'male', '1949-05-21'],
      ['ej2-pat-2', '200002', 'Traoré', 'Awa', 'female', '1992-09-09'],
    ],
    venues: [
      ['ej2-sej-1', 'ej2-pat-1', 'IMP', 'in-progress', '2025-01-07T07:30:00Z', null],
      ['ej2-sej-2', 'ej2-pat-2', 'AMB', 'finished', '2025-01-08T08:00:00Z', '2025-01-08T17:30:00Z'],
    ],
    movements: [
      ['ej2-sej-1', 'ej2-chir-hc-12', '2025-01-07T07:30:00Z', null],
      ['ej2-sej-2', 'ej2-chir-amb-1', '2025-01-08T08:00:00Z', '2025-01-08T17:30:00Z'],
    ],
  },
] as const

/** The legal entities of the demo data (EJ 1 and EJ 2). */
export const DEMO_EJ_IDS: readonly number[] = DEMO_ENTITIES.map((entity) => entity.id)

/**
 * Inserts the demo rows when there are no legal entities yet, so `pnpm start` has exports to serve.
 *
 * @example
 * ```ts
 * await insertDemoData(db)
 * ```
 */
export async function insertDemoData(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM fhir_legal_entity')
  if ((rows[0]?.n ?? 0) > 0) return
  for (const entity of DEMO_ENTITIES) {
    await db.query('INSERT INTO fhir_legal_entity (id, finess, name) VALUES ($1, $2, $3)', [entity.id, entity.finess, entity.name])
    for (const type of EXPORT_TYPES) await db.query('INSERT INTO fhir_export_version (ej_id, export_type) VALUES ($1, $2)', [entity.id, type])
    for (const [id, kind, name, parent] of entity.locations) {
      await db.query('INSERT INTO fhir_location (id, ej_id, kind, name, parent_id) VALUES ($1, $2, $3, $4, $5)', [id, entity.id, kind, name, parent])
    }
    for (const [id, ipp, family, given, gender, birthDate] of entity.patients) {
      await db.query('INSERT INTO fhir_patient (id, ej_id, ipp, family, given, gender, birth_date) VALUES ($1, $2, $3, $4, $5, $6, $7)', [id, entity.id, ipp, family, given, gender, birthDate])
    }
    for (const [id, patient, classCode, status, start, end] of entity.venues) {
      await db.query('INSERT INTO fhir_venue (id, ej_id, patient_id, class_code, status, start_at, end_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [id, entity.id, patient, classCode, status, start, end])
    }
    for (const [venue, location, start, end] of entity.movements) {
      await db.query('INSERT INTO fhir_movement (venue_id, location_id, start_at, end_at) VALUES ($1, $2, $3, $4)', [venue, location, start, end])
    }
  }
}
