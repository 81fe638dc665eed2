import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { ADMIN_HEADERS, fetchEveryExport, type ApiContext } from './api-suite.js'

const EXPORT_KEYS = ['structure', 'patients', 'venues'].flatMap((type) => [1, 2].map((ej) => `fhir:export:${type}:ej:${ej}`))

/** Seed 002's cache management API under /api/cache, behind the token and inside `fhir:export:`. */
export function defineAdminTests(getApi: () => ApiContext): void {
  it('without the token: 401 on every admin route (403 with a wrong one), and nothing is deleted', async () => {
    const api = getApi()
    await fetchEveryExport(api)
    for (const [method, url] of [
      ['POST', '/api/cache/invalidate?pattern=fhir:export:*'],
      ['POST', '/api/cache/flush?confirm=yes'],
      ['GET', '/api/cache/stats'],
      ['GET', '/api/cache/health'],
    ] as const) {
      const anonymous = await api.app.inject({ method, url })
      expect(anonymous.statusCode, url).toBe(401)
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/)
      expect((await api.app.inject({ method, url, headers: { authorization: 'Bearer not-the-admin-token-at-all' } })).statusCode, url).toBe(403)
    }
    for (const key of EXPORT_KEYS) expect(await api.caches.driver.get(key), key).not.toBeNull()
  })

  it("invalidate?pattern=* is refused (400) and deletes nothing; fhir:export: patterns delete exports only, never another service's key in the same database", async () => {
    const api = getApi()
    await fetchEveryExport(api)
    const otherService = `billing:invoice:${Date.now()}`
    await api.caches.driver.set(otherService, '{"total":42}', { ttlMs: 60_000 })

    const everything = await api.app.inject({ method: 'POST', url: '/api/cache/invalidate?pattern=*', headers: ADMIN_HEADERS })
    expect(everything.statusCode).toBe(400)
    expect(everything.body).not.toContain('billing')
    for (const key of [...EXPORT_KEYS, otherService]) expect(await api.caches.driver.get(key), key).not.toBeNull()

    // The seed's own calls: the venues, then one legal entity.
    const venues = await api.app.inject({ method: 'POST', url: '/api/cache/invalidate?pattern=fhir:export:venues:*', headers: ADMIN_HEADERS })
    expect(venues.statusCode).toBe(200)
    expect(venues.json()).toEqual({ deleted: 2 })
    const ej1 = await api.app.inject({ method: 'POST', url: '/api/cache/invalidate?pattern=fhir:export:*:ej:1', headers: ADMIN_HEADERS })
    expect(ej1.json()).toEqual({ deleted: 2 })
    const left = await Promise.all(EXPORT_KEYS.map(async (key) => [key, (await api.caches.driver.get(key)) !== null] as const))
    expect(left.filter(([, present]) => present).map(([key]) => key)).toEqual(['fhir:export:structure:ej:2', 'fhir:export:patients:ej:2'])
    expect(await api.caches.driver.get(otherService)).toBe('{"total":42}')
  })

  it('flush needs confirm=yes, then deletes every export and only exports', async () => {
    const api = getApi()
    await fetchEveryExport(api)
    const otherService = `sessions:user:${Date.now()}`
    await api.caches.driver.set(otherService, 'x', { ttlMs: 60_000 })
    expect((await api.app.inject({ method: 'POST', url: '/api/cache/flush', headers: ADMIN_HEADERS })).statusCode).toBe(400)
    expect(await api.caches.driver.get(EXPORT_KEYS[0] as string)).not.toBeNull()
    const flushed = await api.app.inject({ method: 'POST', url: '/api/cache/flush?confirm=yes', headers: ADMIN_HEADERS })
    expect(flushed.statusCode).toBe(200)
    expect(flushed.json()).toEqual({ deleted: EXPORT_KEYS.length })
    for (const key of EXPORT_KEYS) expect(await api.caches.driver.get(key), key).toBeNull()
    expect(await api.caches.driver.get(otherService)).toBe('x')
  })

  it('stats and health answer with the token', async () => {
    const api = getApi()
    await fetchEveryExport(api)
    await fetchEveryExport(api)
    const stats = await api.app.inject({ method: 'GET', url: '/api/cache/stats', headers: ADMIN_HEADERS })
    expect(stats.statusCode).toBe(200)
    expect(stats.json()).toMatchObject({ enabled: true, cache: { hits: expect.any(Number), misses: expect.any(Number) } })
    expect(stats.json().cache.hits).toBeGreaterThanOrEqual(6)
    const health = await api.app.inject({ method: 'GET', url: '/api/cache/health', headers: ADMIN_HEADERS })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toMatchObject({ ok: true, enabled: true })
  })

  it('with no CACHE_ADMIN_TOKEN the admin routes are not open: 503 with what to set, even with credentials', async () => {
    const api = getApi()
    const app = buildApp({ db: api.db, caches: api.caches, service: api.service })
    try {
      for (const [method, url] of [
        ['POST', '/api/cache/invalidate?pattern=fhir:export:*'],
        ['GET', '/api/cache/stats'],
        ['POST', '/api/cache/flush?confirm=yes'],
      ] as const) {
        const response = await app.inject({ method, url, headers: ADMIN_HEADERS })
        expect(response.statusCode).toBe(503)
        expect(response.json()).toMatchObject({ code: 'ADMIN_DISABLED', error: expect.stringContaining('CACHE_ADMIN_TOKEN') })
      }
    } finally {
      await app.close()
    }
  })
}
