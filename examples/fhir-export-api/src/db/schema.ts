import type { Queryable } from './database.js'

/**
 * The source of the exports, per legal entity (entité juridique, EJ): its structure (the
 * organization and its locations: services, units, beds), its patients, and its venues (stays,
 * FHIR Encounters) with their movements between locations.
 *
 * `fhir_export_version` holds one version per EJ and export type, bumped in the transaction of
 * every write that changes what the export shows. It is what a Bundle's `meta.versionId` carries,
 * what the ETag is made of, and what conditional refresh compares: one primary-key read tells
 * whether a cached export is still current, without building it. Idempotent.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS fhir_legal_entity (
  id integer PRIMARY KEY CHECK (id > 0),
  finess text NOT NULL UNIQUE,
  name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS fhir_location (
  id text PRIMARY KEY,
  ej_id integer NOT NULL REFERENCES fhir_legal_entity (id),
  kind text NOT NULL CHECK (kind IN ('service', 'unit', 'bed')),
  name text NOT NULL,
  parent_id text REFERENCES fhir_location (id),
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fhir_location_ej_idx ON fhir_location (ej_id);
CREATE TABLE IF NOT EXISTS fhir_patient (
  id text PRIMARY KEY,
  ej_id integer NOT NULL REFERENCES fhir_legal_entity (id),
  ipp text NOT NULL,
  family text NOT NULL,
  given text NOT NULL,
  gender text NOT NULL CHECK (gender IN ('male', 'female', 'other', 'unknown')),
  birth_date date NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ej_id, ipp)
);
CREATE TABLE IF NOT EXISTS fhir_venue (
  id text PRIMARY KEY,
  ej_id integer NOT NULL REFERENCES fhir_legal_entity (id),
  patient_id text NOT NULL REFERENCES fhir_patient (id),
  class_code text NOT NULL CHECK (class_code IN ('IMP', 'AMB', 'EMER')),
  status text NOT NULL CHECK (status IN ('in-progress', 'finished')),
  start_at timestamptz NOT NULL,
  end_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fhir_venue_ej_idx ON fhir_venue (ej_id);
CREATE TABLE IF NOT EXISTS fhir_movement (
  id bigserial PRIMARY KEY,
  venue_id text NOT NULL REFERENCES fhir_venue (id),
  location_id text NOT NULL REFERENCES fhir_location (id),
  start_at timestamptz NOT NULL,
  end_at timestamptz,
  CHECK (end_at IS NULL OR end_at >= start_at)
);
CREATE INDEX IF NOT EXISTS fhir_movement_venue_idx ON fhir_movement (venue_id, start_at);
CREATE TABLE IF NOT EXISTS fhir_export_version (
  ej_id integer NOT NULL REFERENCES fhir_legal_entity (id),
  export_type text NOT NULL CHECK (export_type IN ('structure', 'patients', 'venues')),
  version bigint NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ej_id, export_type)
);
`

/**
 * Creates the tables if they do not exist.
 *
 * @example
 * ```ts
 * await migrate(db)
 * ```
 */
export async function migrate(db: Queryable): Promise<void> {
  // One statement per call: pg's extended protocol (used with parameters) accepts only one.
  for (const statement of SCHEMA_SQL.split(';').map((text) => text.trim()).filter((text) => text !== '')) {
    await db.query(statement)
  }
}

/**
 * A timestamptz column as a FHIR `instant` / `dateTime` in UTC (`2025-01-08T14:30:00Z`), as text:
 * both drivers would otherwise hand back a `Date`, and PGlite and pg disagree on precision.
 */
export const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
