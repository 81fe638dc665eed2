/**
 * Seed 003 end to end: `next build`, then `next start` with the real @upstash/redis client (inside
 * the app, on Node and on the Edge runtime) talking over HTTP to the Upstash bridge in front of a
 * real redis-server. Requests go over HTTP; `x-cache` says what answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../scripts/next-app'
import { call } from './support/http'
import { startStack, type Stack } from './support/servers'

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
