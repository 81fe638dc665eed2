import 'server-only'
import { demoRows, SCHEMA } from './schema'
import { sqlStore, type Query } from './sql-store'
import type { Store } from './store'

/**
 * The simulated cost of one query, in ms (`DB_QUERY_DELAY_MS`, default 0). The seed measured
 * ~1.2 s per list request on its PostgreSQL; PGlite answers in about a millisecond, so a test or a
 * demo that wants the seed's numbers sets this instead of pretending PGlite is slow.
 */
function queryDelayMs(): number {
  const raw = process.env.DB_QUERY_DELAY_MS
  const value = raw === undefined || raw === '' ? 0 : Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new Error('DB_QUERY_DELAY_MS must be an integer number of milliseconds between 0 and 60000')
  return value
}

function withDelay(query: Query, delayMs: number): Query {
  if (delayMs === 0) return query
  return async (text, params) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    return query(text, params)
  }
}

interface Engine {
  readonly kind: Store['kind']
  readonly query: Query
  /** Runs several statements (the schema). */
  readonly exec: (sql: string) => Promise<unknown>
  readonly close: () => Promise<void>
}

async function openPglite(): Promise<Engine> {
  const { PGlite } = await import('@electric-sql/pglite')
  const pglite = new PGlite(process.env.PGLITE_DATA_DIR || undefined)
  await pglite.waitReady
  return { kind: 'pglite', query: (text, params) => pglite.query(text, params === undefined ? undefined : [...params]), exec: (sql) => pglite.exec(sql), close: () => pglite.close() }
}

async function openPostgres(url: string): Promise<Engine> {
  const { default: pg } = await import('pg')
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  pool.on('error', () => undefined) // an idle client whose server went away: the pool replaces it
  return {
    kind: 'postgres',
    query: async (text, params) => (await pool.query(text, params === undefined ? undefined : [...params])) as never,
    exec: (sql) => pool.query(sql),
    close: () => pool.end(),
  }
}

async function open(): Promise<Store> {
  const url = process.env.DATABASE_URL
  const engine = url ? await openPostgres(url) : await openPglite()
  await engine.exec(SCHEMA)
  const { rows } = await engine.query<{ n: number | string }>('SELECT count(*) AS n FROM users')
  if (Number(rows[0]?.n ?? 0) === 0) for (const row of demoRows()) await engine.query(row.sql, row.params)
  return sqlStore(engine.kind, withDelay(engine.query, queryDelayMs()), engine.close)
}

const holder = globalThis as { __nextUpstashStore?: Promise<Store> }

/**
 * The database of this server process, opened on first use: one per process, kept on globalThis
 * because Next may load this module once per route bundle.
 *
 * @example
 * ```ts
 * const store = await openStore()
 * const page = await store.list('fmpa', 'sdis-13', { page: 1, limit: 50 })
 * ```
 */
export function openStore(): Promise<Store> {
  holder.__nextUpstashStore ??= open().catch((error: unknown) => {
    holder.__nextUpstashStore = undefined
    throw error
  })
  return holder.__nextUpstashStore
}
