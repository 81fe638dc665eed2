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
   * Resolves only once the COMMIT has succeeded: the routes invalidate the exports after it.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  /** Closes connections (and stops PGlite). */
  close(): Promise<void>
}

/** The SQLSTATE of an error from either engine (`'23503'` for a foreign key violation), if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}
