import pg from 'pg'
import type { Database, Queryable } from './database.js'

/** A Queryable over a pool or a client (pg's rows are untyped; the repositories name their columns). */
function queryable(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: async <Row>(text: string, params?: readonly unknown[]) => (await target.query(text, params === undefined ? undefined : [...params])) as unknown as { rows: Row[] },
  }
}

/**
 * A real PostgreSQL through a `pg` pool (`DATABASE_URL`).
 *
 * @example
 * ```ts
 * const db = await postgresDatabase('postgres://app@127.0.0.1:5432/fhir')
 * ```
 */
export async function postgresDatabase(connectionString: string, maxConnections = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: maxConnections })
  // An idle client whose server went away (restart, failover, shutdown) emits 'error' on the pool;
  // unhandled it would crash the process. The pool drops that client and opens a new one when needed.
  pool.on('error', () => undefined)
  // Fail at startup, not on the first request, when the URL is wrong.
  await pool.query('SELECT 1')
  return {
    kind: 'postgres',
    query: queryable(pool).query,
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work(queryable(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
