/**
 * The seed's traffic shape, replayed: 90 % reads, 10 % writes, two tenants (70 % / 30 %).
 * Reads: lists 60 % (half on the Node routes, half on the Edge ones), details 15 %, profiles 15 %,
 * dashboard 10 %. List filters follow a skewed popularity (page 1 unfiltered first), their query
 * parameters in a random order. Writes: FMPA created 40 % / updated 20 %, formations created 25 % /
 * updated 15 %, new items PLANNED or ACTIVE, updates moving PLANNED -> ACTIVE -> COMPLETED.
 * Deterministic: the same seed gives the same requests.
 */
export interface TrafficRequest {
  readonly kind: 'list' | 'detail' | 'profile' | 'stats' | 'tta' | 'write'
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  readonly path: string
  readonly tenant: string
  readonly body?: unknown
}

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(next: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0)
  let roll = next() * total
  for (const [value, weight] of weighted) if ((roll -= weight) < 0) return value
  return (weighted.at(-1) as readonly [T, number])[0]
}

const FMPA_FILTERS = [
  [{}, 55],
  [{ status: 'ACTIVE' }, 20],
  [{ status: 'PLANNED' }, 10],
  [{ page: '2' }, 7],
  [{ status: 'ACTIVE', kind: 'incendie' }, 5],
  [{ status: 'COMPLETED', limit: '20' }, 3],
] as const satisfies readonly (readonly [Record<string, string>, number])[]
const FORMATION_FILTERS = [
  [{}, 60],
  [{ status: 'ACTIVE' }, 20],
  [{ kind: 'initiale' }, 10],
  [{ status: 'PLANNED', kind: 'continue' }, 10],
] as const satisfies readonly (readonly [Record<string, string>, number])[]

const DETAIL_RANKS = Array.from({ length: 20 }, (_, index) => [index + 1, 1 / (index + 1)] as const)

/** A query string with the parameters in a random order (the cache must not care). */
function query(next: () => number, filters: Record<string, string>): string {
  const entries = Object.entries(filters).sort(() => next() - 0.5)
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`
}

/**
 * `count` requests of the seed's shape.
 *
 * @example
 * ```ts
 * for (const request of seedTraffic(1_000, 3)) await send(request)
 * ```
 */
export function seedTraffic(count: number, seed: number): TrafficRequest[] {
  const next = random(seed)
  const statusOf = new Map<string, 'PLANNED' | 'ACTIVE' | 'COMPLETED'>()
  const requests: TrafficRequest[] = []
  for (let i = 0; i < count; i++) {
    const tenant = next() < 0.7 ? 'sdis-13' : 'sdis-69'
    if (next() < 0.1) {
      const write = pick(next, [['fmpa:create', 20], ['fmpa:update', 10], ['formations:create', 10], ['formations:update', 5], ['profile:update', 15], ['tta:create', 40]] as const)
      if (write === 'tta:create') {
        const user = `${tenant}-u${1 + Math.floor(next() * 3)}`
        requests.push({ kind: 'write', method: 'POST', path: `/api/tta/entries?user=${user}`, tenant, body: { day: '2026-12-07', hours: 1 + Math.floor(next() * 4), activity: next() < 0.5 ? 'garde' : 'formation' } })
        continue
      }
      if (write === 'profile:update') {
        requests.push({ kind: 'write', method: 'PATCH', path: `/api/users/${tenant}-u${1 + Math.floor(next() * 3)}`, tenant, body: { role: next() < 0.5 ? 'sapeur' : 'caporal' } })
        continue
      }
      const [resource, action] = write.split(':') as ['fmpa' | 'formations', 'create' | 'update']
      if (action === 'create') {
        const status = next() < 0.5 ? 'PLANNED' : 'ACTIVE'
        const kind = resource === 'fmpa' ? pick(next, [['incendie', 1], ['secours', 1]] as const) : pick(next, [['initiale', 1], ['continue', 1]] as const)
        requests.push({ kind: 'write', method: 'POST', path: `/api/${resource}`, tenant, body: { title: `Séance ${i}`, kind, status, startsOn: '2026-12-15', location: 'Centre 1' } })
      } else {
        // The demo rows' ids: FMPA 1-60 and formations 1-30 for sdis-13, the next ones for sdis-69.
        const base = tenant === 'sdis-13' ? 0 : resource === 'fmpa' ? 60 : 30
        const id = base + 1 + Math.floor(next() * 12)
        const key = `${resource}:${id}`
        const status = statusOf.get(key) === 'ACTIVE' ? 'COMPLETED' : 'ACTIVE'
        statusOf.set(key, status)
        requests.push({ kind: 'write', method: 'PUT', path: `/api/${resource}/${id}`, tenant, body: { status } })
      }
      continue
    }
    const read = pick(next, [['profile', 35], ['list', 36], ['detail', 10], ['stats', 13], ['tta', 6]] as const)
    if (read === 'list') {
      const fmpa = next() < 0.6
      const filters = pick(next, fmpa ? FMPA_FILTERS : FORMATION_FILTERS)
      const edge = next() < 0.5 ? '/edge' : ''
      requests.push({ kind: 'list', method: 'GET', path: `/api${edge}/${fmpa ? 'fmpa' : 'formations'}${query(next, filters)}`, tenant })
    } else if (read === 'detail') {
      const base = tenant === 'sdis-13' ? 0 : 60
      // The upcoming sessions are opened most: rank r among 20 has weight 1/r.
      requests.push({ kind: 'detail', method: 'GET', path: `/api/fmpa/${base + pick(next, DETAIL_RANKS)}`, tenant })
    } else if (read === 'tta') {
      requests.push({ kind: 'tta', method: 'GET', path: `/api/tta/entries?user=${tenant}-u${1 + Math.floor(next() * 3)}`, tenant })
    } else if (read === 'profile') {
      requests.push({ kind: 'profile', method: 'GET', path: `/api/users/${tenant}-u${1 + Math.floor(next() * 3)}`, tenant })
    } else {
      requests.push({ kind: 'stats', method: 'GET', path: '/api/stats', tenant })
    }
  }
  return requests
}
