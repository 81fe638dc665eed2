/** The tables, created at startup when missing. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS fmpa (
  id SERIAL PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  title TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  starts_on DATE NOT NULL,
  location TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS formations (
  id SERIAL PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  title TEXT NOT NULL,
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  starts_on DATE NOT NULL,
  location TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS tta_entries (
  id SERIAL PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day DATE NOT NULL,
  hours INTEGER NOT NULL,
  activity TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tta_user ON tta_entries (tenant_id, user_id);
CREATE INDEX IF NOT EXISTS fmpa_tenant ON fmpa (tenant_id, status);
CREATE INDEX IF NOT EXISTS formations_tenant ON formations (tenant_id, status);
`

const FMPA_TYPES = ['incendie', 'secours', 'sport', 'conduite']
const CATEGORIES = ['initiale', 'continue', 'specialite']
const STATUSES = ['PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED']

/** One multi-row INSERT of `rows` into `table` (`columns` in order). */
function insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): { sql: string; params: unknown[] } {
  const params: unknown[] = []
  const values = rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`)
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params }
}

/** Demo rows: two tenants (two fire-and-rescue services), 60 FMPA and 30 formations each, three users each. */
export function demoRows(): { sql: string; params: unknown[] }[] {
  const users: unknown[][] = []
  const fmpa: unknown[][] = []
  const formations: unknown[][] = []
  for (const tenant of ['sdis-13', 'sdis-69']) {
    for (let i = 0; i < 3; i++) users.push([`${tenant}-u${i + 1}`, tenant, `Agent ${i + 1}`, i === 0 ? 'chef de centre' : 'sapeur'])
    for (let i = 0; i < 60; i++) {
      const month = String((i % 12) + 1).padStart(2, '0')
      fmpa.push([tenant, `FMPA ${i + 1}`, FMPA_TYPES[i % FMPA_TYPES.length], STATUSES[i % STATUSES.length], `2026-${month}-${String((i % 28) + 1).padStart(2, '0')}`, `Centre ${(i % 5) + 1}`])
    }
    for (let i = 0; i < 30; i++) {
      formations.push([tenant, `Formation ${i + 1}`, CATEGORIES[i % CATEGORIES.length], STATUSES[i % STATUSES.length], `2026-${String((i % 12) + 1).padStart(2, '0')}-10`, `Ecole ${(i % 3) + 1}`])
    }
  }
  return [
    insert('users', ['id', 'tenant_id', 'name', 'role'], users),
    insert('fmpa', ['tenant_id', 'title', 'type', 'status', 'starts_on', 'location'], fmpa),
    insert('formations', ['tenant_id', 'title', 'category', 'status', 'starts_on', 'location'], formations),
  ]
}
