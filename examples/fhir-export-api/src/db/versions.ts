import type { ExportType } from '../export-types.js'
import type { Queryable } from './database.js'
import { utc } from './schema.js'

/** The version of one export's source data: what `Bundle.meta` carries and the ETag is made of. */
export interface SourceVersion {
  /** `fhir_export_version.version`, as text (`Bundle.meta.versionId`). */
  readonly versionId: string
  /** When it was last bumped (`Bundle.meta.lastUpdated`). */
  readonly lastUpdated: string
}

/**
 * The current version of an export's source, or undefined for an unknown legal entity. One
 * primary-key read: what conditional refresh asks instead of building the export.
 *
 * @example
 * ```ts
 * await sourceVersion(db, 1, 'venues') // { versionId: '3', lastUpdated: '2025-01-08T14:30:00Z' }
 * ```
 */
export async function sourceVersion(db: Queryable, ejId: number, type: ExportType): Promise<SourceVersion | undefined> {
  const { rows } = await db.query<{ version_id: string; last_updated: string }>(
    `SELECT version::text AS version_id, ${utc('updated_at')} AS last_updated FROM fhir_export_version WHERE ej_id = $1 AND export_type = $2`,
    [ejId, type],
  )
  const row = rows[0]
  return row === undefined ? undefined : { versionId: row.version_id, lastUpdated: row.last_updated }
}

/**
 * Bumps the versions of these exports of a legal entity, in the caller's transaction: the write
 * and the new version commit together, or neither does.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => { await insertMovement(tx, movement); await bumpVersions(tx, ejId, ['venues']) })
 * ```
 */
export async function bumpVersions(tx: Queryable, ejId: number, types: readonly ExportType[]): Promise<void> {
  await tx.query('UPDATE fhir_export_version SET version = version + 1, updated_at = clock_timestamp() WHERE ej_id = $1 AND export_type = ANY($2::text[])', [ejId, [...types]])
}
