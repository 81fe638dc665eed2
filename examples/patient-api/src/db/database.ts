/** Something SQL can be sent to: the database, or a transaction. Parameters are `$1, $2...`. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>
}

/** The source of truth: PGlite (embedded, the default) or a real PostgreSQL through `pg`. */
export interface Database extends Queryable {
  /** Which engine runs behind it. */
  readonly kind: 'pglite' | 'postgres'
  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (rethrown).
   * Resolves only once the COMMIT has succeeded, which is what `invalidateAfterCommit` relies on.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  /** Closes connections (and stops PGlite). */
  close(): Promise<void>
}

/** The SQLSTATE of an error from either engine (`'23514'` for a CHECK violation), if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** The unique index on the identity fingerprint (schema.ts): one row per person. */
export const IDENTITY_UNIQUE_INDEX = 'patients_patient_cle_doublon_key'

/**
 * True when the database refused a row because another patient has the same identity fingerprint
 * (a unique violation on {@link IDENTITY_UNIQUE_INDEX}): two creations of one person that raced past
 * the lock and the duplicate check, or a PATCH giving a patient someone else's identity.
 *
 * @example
 * ```ts
 * if (isIdentityConflict(error)) return reply.code(409).send({ error: 'Patient en doublon', raison: 'exists' })
 * ```
 */
export function isIdentityConflict(error: unknown): boolean {
  return sqlState(error) === '23505' && (error as { constraint?: unknown }).constraint === IDENTITY_UNIQUE_INDEX
}
