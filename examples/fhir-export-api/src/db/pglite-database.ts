import { PGlite, type Transaction } from '@electric-sql/pglite'
import type { Database, Queryable } from './database.js'

/** A Queryable over PGlite or one of its transactions. */
function queryable(target: PGlite | Transaction): Queryable {
  return {
    query: async <Row>(text: string, params?: readonly unknown[]) => target.query<Row>(text, params === undefined ? undefined : [...params]),
  }
}

/**
 * PostgreSQL compiled to WebAssembly, in this process: the default, so the example runs with no
 * server. `dataDir` keeps the data on disk; without it the database lives in memory.
 *
 * @example
 * ```ts
 * const db = await pgliteDatabase()
 * ```
 */
export async function pgliteDatabase(dataDir?: string): Promise<Database> {
  const pglite = dataDir === undefined ? new PGlite() : new PGlite(dataDir)
  await pglite.waitReady
  return {
    kind: 'pglite',
    query: queryable(pglite).query,
    // PGlite runs one transaction at a time; other queries wait for it, as they would for a row lock.
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    close: () => pglite.close(),
  }
}
