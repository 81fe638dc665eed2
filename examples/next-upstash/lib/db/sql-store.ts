import { KIND_COLUMN, type DashboardStats, type Item, type ListFilters, type Resource, type TtaEntry, type UserProfile } from './model'
import type { Store } from './store'

/** Sends SQL with `$1, $2...` parameters; PGlite and pg both fit. */
export type Query = <Row = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<{ rows: Row[] }>

interface ItemRow {
  id: number
  tenant_id: string
  title: string
  kind: string
  status: Item['status']
  starts_on: string | Date
  location: string
  updated_at: string | Date
}

interface TtaRow {
  id: number
  user_id: string
  day: string | Date
  hours: number
  activity: string
}

const toTta = (row: TtaRow): TtaEntry => ({ id: Number(row.id), userId: row.user_id, day: day(row.day), hours: Number(row.hours), activity: row.activity })

const iso = (value: string | Date) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString())
const day = (value: string | Date) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10))

function toItem(row: ItemRow): Item {
  return { id: Number(row.id), tenantId: row.tenant_id, title: row.title, kind: row.kind, status: row.status, startsOn: day(row.starts_on), location: row.location, updatedAt: iso(row.updated_at) }
}

/** The columns of an item, with the resource's filter column read as `kind`. */
const columns = (resource: Resource) => `id, tenant_id, title, ${KIND_COLUMN[resource]} AS kind, status, starts_on, location, updated_at`

/** WHERE clause and parameters of a list request. */
function where(resource: Resource, tenantId: string, filters: ListFilters): { text: string; params: unknown[] } {
  const params: unknown[] = [tenantId]
  let text = 'tenant_id = $1'
  if (filters.status !== undefined) text += ` AND status = $${params.push(filters.status)}`
  if (filters.kind !== undefined) text += ` AND ${KIND_COLUMN[resource]} = $${params.push(filters.kind)}`
  return { text, params }
}

/**
 * The store over SQL. `resource` is always one of RESOURCES (checked by the routes), so it is safe
 * as a table name.
 *
 * @example
 * ```ts
 * const store = sqlStore('pglite', (text, params) => pglite.query(text, params), () => pglite.close())
 * ```
 */
export function sqlStore(kind: Store['kind'], send: Query, close: () => Promise<void>): Store {
  const counts = { queries: 0, lists: 0, details: 0, profiles: 0, stats: 0, tta: 0 }
  const query: Query = (text, params) => {
    counts.queries++
    return send(text, params)
  }
  const readItem = async (resource: Resource, tenantId: string, id: number) => {
    const { rows } = await query<ItemRow>(`SELECT ${columns(resource)} FROM ${resource} WHERE tenant_id = $1 AND id = $2`, [tenantId, id])
    return rows[0] === undefined ? null : toItem(rows[0])
  }
  const readProfile = async (userId: string) => {
    const { rows } = await query<{ id: string; tenant_id: string; name: string; role: string; updated_at: string | Date }>('SELECT id, tenant_id, name, role, updated_at FROM users WHERE id = $1', [userId])
    const row = rows[0]
    return row === undefined ? null : ({ id: row.id, tenantId: row.tenant_id, name: row.name, role: row.role, updatedAt: iso(row.updated_at) } satisfies UserProfile)
  }
  return {
    kind,
    close,
    counts: () => ({ ...counts }),
    async list(resource, tenantId, filters) {
      counts.lists++
      const { text, params } = where(resource, tenantId, filters)
      const offset = (filters.page - 1) * filters.limit
      // Two queries at once, like the seed's `Promise.all([findMany, count])`.
      const [rows, count] = await Promise.all([
        query<ItemRow>(`SELECT ${columns(resource)} FROM ${resource} WHERE ${text} ORDER BY starts_on DESC, id DESC LIMIT ${filters.limit} OFFSET ${offset}`, params),
        query<{ total: number | string }>(`SELECT count(*) AS total FROM ${resource} WHERE ${text}`, params),
      ])
      const total = Number(count.rows[0]?.total ?? 0)
      return { items: rows.rows.map(toItem), pagination: { page: filters.page, limit: filters.limit, total, pages: Math.ceil(total / filters.limit) } }
    },
    async get(resource, tenantId, id) {
      counts.details++
      return readItem(resource, tenantId, id)
    },
    async create(resource, tenantId, input) {
      const { rows } = await query<ItemRow>(
        `INSERT INTO ${resource} (tenant_id, title, ${KIND_COLUMN[resource]}, status, starts_on, location) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns(resource)}`,
        [tenantId, input.title, input.kind, input.status, input.startsOn, input.location],
      )
      return toItem(rows[0] as ItemRow)
    },
    async update(resource, tenantId, id, patch) {
      const before = await readItem(resource, tenantId, id)
      if (before === null) return null
      const next = { ...before, ...patch }
      const { rows } = await query<ItemRow>(
        `UPDATE ${resource} SET title = $3, ${KIND_COLUMN[resource]} = $4, status = $5, starts_on = $6, location = $7, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${columns(resource)}`,
        [tenantId, id, next.title, next.kind, next.status, next.startsOn, next.location],
      )
      return rows[0] === undefined ? null : { before, after: toItem(rows[0]) }
    },
    async remove(resource, tenantId, id) {
      const { rows } = await query<ItemRow>(`DELETE FROM ${resource} WHERE tenant_id = $1 AND id = $2 RETURNING ${columns(resource)}`, [tenantId, id])
      return rows[0] === undefined ? null : toItem(rows[0])
    },
    async profile(userId) {
      counts.profiles++
      return readProfile(userId)
    },
    async updateProfile(userId, patch) {
      const current = await readProfile(userId)
      if (current === null) return null
      await query('UPDATE users SET name = $2, role = $3, updated_at = now() WHERE id = $1', [userId, patch.name ?? current.name, patch.role ?? current.role])
      return readProfile(userId)
    },
    async stats(tenantId) {
      counts.stats++
      const byStatus = async (resource: Resource) => {
        const { rows } = await query<{ status: string; n: number | string }>(`SELECT status, count(*) AS n FROM ${resource} WHERE tenant_id = $1 GROUP BY status ORDER BY status`, [tenantId])
        return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]))
      }
      const [fmpaByStatus, formationsByStatus, upcoming] = await Promise.all([
        byStatus('fmpa'),
        byStatus('formations'),
        query<{ n: number | string }>("SELECT count(*) AS n FROM fmpa WHERE tenant_id = $1 AND status = 'PLANNED'", [tenantId]),
      ])
      return { tenantId, fmpaByStatus, formationsByStatus, upcoming: Number(upcoming.rows[0]?.n ?? 0), computedAt: new Date().toISOString() } satisfies DashboardStats
    },
    async ttaEntries(tenantId, userId) {
      counts.tta++
      const { rows } = await query<TtaRow>('SELECT id, user_id, day, hours, activity FROM tta_entries WHERE tenant_id = $1 AND user_id = $2 ORDER BY day DESC, id DESC LIMIT 100', [tenantId, userId])
      return rows.map(toTta)
    },
    async addTtaEntry(tenantId, userId, input) {
      const { rows } = await query<TtaRow>('INSERT INTO tta_entries (tenant_id, user_id, day, hours, activity) VALUES ($1, $2, $3, $4, $5) RETURNING id, user_id, day, hours, activity', [tenantId, userId, input.day, input.hours, input.activity])
      return toTta(rows[0] as TtaRow)
    },
  }
}
