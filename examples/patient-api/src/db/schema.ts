import { IDENTITY_UNIQUE_INDEX, type Queryable } from './database.js'

/**
 * The tables, as seed 000 describes them: `patients_patient` with a `search_vector` (a `tsvector`
 * of the `'french'` text search configuration, a generated column, GIN-indexed) for searches, which
 * are never cached. `cle_doublon` holds the identity fingerprint of `@cachette/patient`, so the
 * database finds duplicates by the same rule as the creation lock; it is UNIQUE, so two creations of
 * one person that race past the lock (a cache outage) and the duplicate check (both transactions
 * check before either inserts) still give one row: the second INSERT fails with 23505 and the API
 * answers 409. Idempotent; an older database's plain index is replaced (the unique index cannot be
 * built, and startup fails, if duplicates are already there: merge them first).
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS patients_patient (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code_patient text NOT NULL UNIQUE,
  nom text NOT NULL,
  prenoms text NOT NULL,
  date_naissance date NOT NULL CHECK (date_naissance <= CURRENT_DATE),
  sexe text NOT NULL CHECK (sexe IN ('M', 'F')),
  nationalite_id uuid,
  situation_matrimoniale_id uuid,
  telephone_principal text,
  telephone_secondaire text,
  email text,
  adresse_complete text,
  ville text,
  commune text,
  etablissement_createur_id uuid NOT NULL,
  est_assure boolean NOT NULL DEFAULT false,
  statut text NOT NULL DEFAULT 'actif' CHECK (statut IN ('actif', 'inactif', 'decede')),
  assurances jsonb NOT NULL DEFAULT '[]'::jsonb,
  cle_doublon text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('french', nom || ' ' || prenoms || ' ' || code_patient || ' ' || coalesce(telephone_principal, ''))
  ) STORED
);
CREATE INDEX IF NOT EXISTS patients_patient_search_vector_idx ON patients_patient USING GIN (search_vector);
CREATE UNIQUE INDEX IF NOT EXISTS ${IDENTITY_UNIQUE_INDEX} ON patients_patient (cle_doublon);
DROP INDEX IF EXISTS patients_patient_cle_doublon_idx;
CREATE SEQUENCE IF NOT EXISTS patients_patient_code_seq;

CREATE TABLE IF NOT EXISTS identity_professional (
  id integer PRIMARY KEY,
  nom text NOT NULL,
  prenoms text NOT NULL,
  specialite text NOT NULL,
  etablissement_id uuid NOT NULL,
  actif boolean NOT NULL DEFAULT true
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
