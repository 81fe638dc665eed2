/**
 * Seed 003 end to end: `next build`, then `next start` with the real @upstash/redis client (inside
 * the app, on Node and on the Edge runtime) talking over HTTP to the Upstash bridge in front of a
 * real redis-server. Requests go over HTTP; `x-cache` says what answered.
 */
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheKeys, listParams } from '../lib/cache-keys'
import { buildApp } from '../scripts/next-app'
import { call, median, type Reply } from './support/http'
import { startStack, type Stack } from './support/servers'
import { seedTraffic, type TrafficRequest } from './support/traffic'

beforeAll(() => buildApp(), 300_000)

const A = 'sdis-13'
const B = 'sdis-69'
const newFmpa = (status: string) => ({ title: 'Exercice', kind: 'incendie', status, startsOn: '2026-12-20', location: 'Centre 4' })

describe('next start, Upstash bridge, redis-server', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  }, 60_000)
  afterAll(() => stack?.stop())
  const get = (path: string, tenant = A) => call(stack.app, 'GET', path, tenant)

  it('a list request misses then hits with the same body, and the Edge route shares the entry', async () => {
    const first = await get('/api/fmpa?status=PLANNED&limit=10')
    expect(first).toMatchObject({ status: 200, cache: 'miss' })
    expect(first.body.items).toHaveLength(10)
    expect(first.body.items.every((item: { status: string; tenantId: string }) => item.status === 'PLANNED' && item.tenantId === A)).toBe(true)
    const second = await get('/api/fmpa?status=PLANNED&limit=10')
    expect(second).toMatchObject({ status: 200, cache: 'hit' })
    expect(second.body).toEqual(first.body)
    // The Edge runtime, another cache instance on the same Upstash: the same key, so a hit.
    const edge = await get('/api/edge/fmpa?status=PLANNED&limit=10')
    expect(edge).toMatchObject({ status: 200, cache: 'hit' })
    expect(edge.body).toEqual(first.body)
  })

  it('an Edge route misses, reaches the database through the data API, then hits', async () => {
    const first = await get('/api/edge/formations?kind=initiale')
    expect(first).toMatchObject({ status: 200, cache: 'miss' })
    expect(first.body.items.length).toBeGreaterThan(0)
    expect(first.body.items.every((item: { kind: string }) => item.kind === 'initiale')).toBe(true)
    const second = await get('/api/edge/formations?kind=initiale')
    expect(second).toMatchObject({ status: 200, cache: 'hit' })
    expect(second.body).toEqual(first.body)
  })

  it('two filter objects with the same fields in another order (and defaults spelled out) share one entry', async () => {
    const first = await get('/api/formations?status=ACTIVE&kind=continue&page=1')
    expect(first.cache).toBe('miss')
    for (const path of ['/api/formations?page=1&kind=continue&status=ACTIVE', '/api/edge/formations?kind=continue&status=ACTIVE', '/api/formations?limit=50&status=ACTIVE&kind=continue']) {
      const again = await get(path)
      expect({ path, cache: again.cache }).toEqual({ path, cache: 'hit' })
      expect(again.body).toEqual(first.body)
    }
    // Another value is another entry.
    expect((await get('/api/formations?status=ACTIVE&kind=continue&page=2')).cache).toBe('miss')
  })

  it("a create for tenant A makes A's next list a miss that shows it, and leaves B's lists hits", async () => {
    for (const tenant of [A, B]) {
      await get('/api/fmpa', tenant)
      expect((await get('/api/fmpa', tenant)).cache).toBe('hit')
      await get('/api/edge/fmpa?status=ACTIVE', tenant)
    }
    const created = await call(stack.app, 'POST', '/api/fmpa', A, newFmpa('ACTIVE'))
    expect(created.status).toBe(201)
    const listA = await get('/api/fmpa')
    expect(listA.cache).toBe('miss')
    expect(listA.body.pagination.total).toBe(61)
    const activeA = await get('/api/edge/fmpa?status=ACTIVE')
    expect(activeA.cache).toBe('miss')
    expect(activeA.body.items.map((item: { id: number }) => item.id)).toContain(created.body.id)
    for (const path of ['/api/fmpa', '/api/edge/fmpa?status=ACTIVE']) {
      const listB = await get(path, B)
      expect({ path, cache: listB.cache }).toEqual({ path, cache: 'hit' })
      expect(listB.body.pagination.total).toBeLessThan(61)
    }
  })

  it('a write invalidates only the lists it can change: another status stays a hit, formations too', async () => {
    await get('/api/fmpa?status=COMPLETED')
    await get('/api/formations')
    expect((await get('/api/fmpa?status=COMPLETED')).cache).toBe('hit')
    await call(stack.app, 'POST', '/api/fmpa', A, newFmpa('PLANNED'))
    expect((await get('/api/fmpa?status=COMPLETED')).cache).toBe('hit')
    expect((await get('/api/formations')).cache).toBe('hit')
    expect((await get('/api/fmpa?status=PLANNED&limit=10')).cache).toBe('miss')
  })

  it('an update drops the detail and the lists of the status before and after', async () => {
    const detail = await get('/api/fmpa/2')
    expect((await get('/api/fmpa/2')).cache).toBe('hit')
    const from = detail.body.status as string
    const to = from === 'COMPLETED' ? 'ACTIVE' : 'COMPLETED'
    await get(`/api/fmpa?status=${from}`)
    await get(`/api/edge/fmpa?status=${to}`)
    const updated = await call(stack.app, 'PUT', '/api/fmpa/2', A, { status: to })
    expect(updated).toMatchObject({ status: 200, body: { id: 2, status: to } })
    const after = await get('/api/fmpa/2')
    expect(after).toMatchObject({ cache: 'miss', body: { status: to } })
    const oldList = await get(`/api/fmpa?status=${from}`)
    expect(oldList.cache).toBe('miss')
    expect(oldList.body.items.map((item: { id: number }) => item.id)).not.toContain(2)
    const newList = await get(`/api/edge/fmpa?status=${to}`)
    expect(newList.cache).toBe('miss')
    expect(newList.body.items.map((item: { id: number }) => item.id)).toContain(2)
  })

  it('profiles and the dashboard are cached too; a profile update drops its entry', async () => {
    expect((await get(`/api/users/${A}-u2`)).cache).toBe('miss')
    expect((await get(`/api/users/${A}-u2`)).cache).toBe('hit')
    const patched = await call(stack.app, 'PATCH', `/api/users/${A}-u2`, A, { role: 'caporal' })
    expect(patched.status).toBe(200)
    expect(await get(`/api/users/${A}-u2`)).toMatchObject({ cache: 'miss', body: { role: 'caporal' } })
    expect((await get('/api/stats')).cache).toBe('miss')
    expect((await get('/api/stats')).cache).toBe('hit')
  })

  it('refuses bad input with the field named, never its value, and reaches neither cache nor database', async () => {
    const before = (await (await fetch(`${stack.app.url}/api/cache/stats`)).json()).database
    const bad = await get('/api/fmpa?status=SECRET-VALUE-42')
    expect(bad).toMatchObject({ status: 400, cache: null, body: { error: 'invalid query parameters: status' } })
    expect(JSON.stringify(bad.body)).not.toContain('SECRET-VALUE-42')
    expect((await get('/api/fmpa?sort=name')).body.error).toBe('invalid query parameters: (body)')
    expect((await call(stack.app, 'GET', '/api/fmpa', 'bad tenant!')).status).toBe(401)
    expect((await call(stack.app, 'POST', '/api/fmpa', A, { title: 'x' })).body.error).toMatch(/^invalid body: /)
    expect((await get('/api/fmpa/0')).status).toBe(400)
    expect((await get('/api/fmpa/99999')).status).toBe(404)
    const after = (await (await fetch(`${stack.app.url}/api/cache/stats`)).json()).database
    expect(after.lists).toBe(before.lists)
  })

  it("the stats route reports each Node route's hits, misses and latency, and the database's reads", async () => {
    const stats = await (await fetch(`${stack.app.url}/api/cache/stats`)).json()
    expect(stats).toMatchObject({ runtime: 'node', driver: 'upstash', wire: 'cachette' })
    expect(stats.routes['GET /api/fmpa'].hit).toBeGreaterThan(0)
    expect(stats.routes['GET /api/fmpa'].miss).toBeGreaterThan(0)
    expect(stats.routes['GET /api/fmpa'].medianMs).toBeGreaterThan(0)
    expect(stats.cache.hits).toBeGreaterThan(0)
    expect(stats.database.lists).toBeGreaterThan(0)
  })
})

describe("wire: 'plain': entries shared with the seed's own @upstash/redis code", () => {
  let stack: Stack
  let seedRedis: Redis
  beforeAll(async () => {
    stack = await startStack({ CACHE_WIRE: 'plain' })
    // What the seed's src/lib/cache.ts does: @upstash/redis with its automatic JSON serialization.
    seedRedis = new Redis({ url: stack.bridge.url, token: stack.bridge.token, enableTelemetry: false })
  }, 60_000)
  afterAll(() => stack?.stop())

  it('a list cached by the app is the JSON the seed reads with redis.get, and the reverse', async () => {
    const filters = { status: 'ACTIVE' as const, page: 1, limit: 5 }
    const first = await call(stack.app, 'GET', '/api/fmpa?status=ACTIVE&limit=5', A)
    expect(first.cache).toBe('miss')
    const key = cacheKeys(false).list.fmpa(listParams(A, filters)).key
    expect(key).toMatch(/^fmpa:list:sdis-13:ACTIVE:[A-Za-z0-9_-]{16}$/)
    expect(await seedRedis.get(key)).toEqual(first.body)
    expect(await seedRedis.ttl(key)).toBeGreaterThan(290)

    // The seed writes a list the way it always did; the app (Node and Edge) serves it as a hit.
    const seeded = { items: [], pagination: { page: 1, limit: 5, total: 0, pages: 0 }, writtenBy: 'seed' }
    const formationsKey = cacheKeys(false).list.formations(listParams(B, { page: 1, limit: 5 })).key
    await seedRedis.set(formationsKey, seeded, { ex: 300 })
    for (const path of ['/api/formations?limit=5', '/api/edge/formations?limit=5']) {
      const reply = await call(stack.app, 'GET', path, B)
      expect({ path, cache: reply.cache, body: reply.body }).toEqual({ path, cache: 'hit', body: seeded })
    }
  })

  it('a create deletes the tenant lists it can change by pattern (the seed had no tags)', async () => {
    await call(stack.app, 'GET', '/api/fmpa', A)
    await call(stack.app, 'GET', '/api/fmpa?status=COMPLETED', A)
    expect((await call(stack.app, 'GET', '/api/fmpa', A)).cache).toBe('hit')
    await call(stack.app, 'POST', '/api/fmpa', A, newFmpa('ACTIVE'))
    expect((await call(stack.app, 'GET', '/api/fmpa', A)).cache).toBe('miss')
    expect((await call(stack.app, 'GET', '/api/fmpa?status=COMPLETED', A)).cache).toBe('hit')
    expect(await seedRedis.keys('cachette:*')).toEqual([])
  })
})

describe("1,000 requests of the seed's traffic shape (90 % reads, 10 % writes)", () => {
  /**
   * The database's cost, simulated: each query waits this long first. The seed measured ~1.2 s
   * for a list (2-3 queries) on its PostgreSQL; PGlite answers in about 1 ms. 400 ms per query
   * (a list's two queries run at once, so a third of the seed's list) keeps the run short.
   */
  const DB_QUERY_DELAY_MS = '400'
  /** Requests in flight at once, in both runs. */
  const CONCURRENCY = 4
  /** Requests sent first and not measured: the hit rate of a running service, not of a cold start. */
  const WARM_UP = 200
  const traffic = seedTraffic(WARM_UP + 1_000, 2026)

  async function send(stack: Stack, requests: readonly TrafficRequest[]) {
    const replies: { request: TrafficRequest; reply: Reply }[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let index = next++; index < requests.length; index = next++) {
          const request = requests[index] as TrafficRequest
          replies.push({ request, reply: await call(stack.app, request.method, request.path, request.tenant, request.body) })
        }
      }),
    )
    return replies
  }
  const databaseReads = async (stack: Stack) => (await (await fetch(`${stack.app.url}/api/cache/stats`)).json()).database

  /** The warm-up, then the 1,000 measured requests, with the database reads they caused. */
  async function replay(env: Record<string, string>, warmUp: boolean) {
    const stack = await startStack({ DB_QUERY_DELAY_MS, ...env })
    try {
      if (warmUp) await send(stack, traffic.slice(0, WARM_UP))
      const before = await databaseReads(stack)
      const replies = await send(stack, traffic.slice(WARM_UP))
      const after = await databaseReads(stack)
      const reads = Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - before[name]]))
      return { replies, reads }
    } finally {
      await stack.stop()
    }
  }

  it('hit rate above 80 %, list median at least 5x lower than with the cache off, each x-cache matching the database reads', async () => {
    const withCache = await replay({}, true)
    // Without a cache there is nothing to warm: the same 1,000 requests.
    const withoutCache = await replay({ CACHE_ENABLED: 'false' }, false)

    for (const { request, reply } of [...withCache.replies, ...withoutCache.replies]) {
      expect({ path: request.path, status: reply.status }).toEqual({ path: request.path, status: request.method === 'POST' ? 201 : 200 })
    }
    const reads = withCache.replies.filter(({ request }) => request.kind !== 'write')
    const count = (status: string, kind?: string) => reads.filter(({ request, reply }) => reply.cache === status && (kind === undefined || request.kind === kind)).length
    const ofKind = (kind: string) => reads.filter(({ request }) => request.kind === kind).length
    const hitRate = count('hit') / reads.length
    const listTimes = (replies: typeof reads) => replies.filter(({ request }) => request.kind === 'list').map(({ reply }) => reply.ms)
    const cachedMedian = median(listTimes(withCache.replies))
    const offMedian = median(listTimes(withoutCache.replies))
    const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`
    console.log(
      `seed traffic, after ${WARM_UP} warm-up requests: ${reads.length} reads, ${withCache.replies.length - reads.length} writes; ` +
        `hits ${count('hit')}, misses ${count('miss')}, stale ${count('stale')}: hit rate ${percent(count('hit'), reads.length)} ` +
        `(lists ${percent(count('hit', 'list'), ofKind('list'))}, details ${percent(count('hit', 'detail'), ofKind('detail'))}, ` +
        `profiles ${percent(count('hit', 'profile'), ofKind('profile'))}, dashboard ${percent(count('hit', 'stats'), ofKind('stats'))}, TTA ${percent(count('hit', 'tta'), ofKind('tta'))}); ` +
        `list median ${cachedMedian.toFixed(1)} ms with the cache, ${offMedian.toFixed(1)} ms without: ${(offMedian / cachedMedian).toFixed(1)}x`,
    )
    // x-cache tells the truth: every miss, and only a miss, reached the database.
    expect(withCache.reads.lists).toBe(count('miss', 'list'))
    expect(withCache.reads.details).toBe(count('miss', 'detail'))
    expect(withCache.reads.profiles).toBe(count('miss', 'profile'))
    expect(withCache.reads.tta).toBe(count('miss', 'tta'))
    expect(withCache.reads.stats).toBe(count('miss', 'stats'))
    expect(count('stale')).toBe(0)
    expect(hitRate).toBeGreaterThan(0.8)
    expect(offMedian / cachedMedian).toBeGreaterThanOrEqual(5)
    // With the cache off every read reaches the database and none claims a hit.
    expect(withoutCache.replies.some(({ reply }) => reply.cache === 'hit')).toBe(false)
    expect(withoutCache.reads.lists).toBe(ofKind('list'))
  }, 300_000)
})
