import { expect, it } from 'vitest'
import { ADMIN_HEADERS, encounterLocations, EVERY_EXPORT, fetchEveryExport, fetchExport, type ApiContext } from './api-suite.js'

/** The redis-server killed mid-run (SIGKILL): the seed's fallback, every export built and served. */
export function defineOutageTests(getApi: () => ApiContext): void {
  it('with Redis killed, every export answers 200 with a valid Bundle, a movement still lands in the next export, and /api/cache/health says 503', async () => {
    const api = getApi()
    const redis = api.redis
    if (redis === undefined) throw new Error('a redis suite')
    await fetchEveryExport(api)
    await redis.kill('SIGKILL')

    const started = performance.now()
    for (let round = 0; round < 3; round++) {
      for (const [type, ej] of EVERY_EXPORT) await fetchExport(api, type, ej) // 200, schema-valid
    }
    // Each request waits at most the cache's deadline (500 ms), and the circuit breaker soon skips the store.
    expect(performance.now() - started).toBeLessThan(3 * EVERY_EXPORT.length * 500)
    expect(api.caches.cache.stats().errors).toBeGreaterThan(0)

    const health = await api.app.inject({ method: 'GET', url: '/api/cache/health', headers: ADMIN_HEADERS })
    expect(health.statusCode).toBe(503)
    expect(health.json()).toMatchObject({ ok: false })
    // The service itself is up: only its cache is degraded.
    const serviceHealth = await api.app.inject({ method: 'GET', url: '/health' })
    expect(serviceHealth.statusCode).toBe(200)
    expect(serviceHealth.json()).toMatchObject({ ok: true, database: true, cache: { ok: false } })

    // A write commits; its invalidation waits in the cache's queue, and this process builds the
    // venues exports meanwhile: the movement is in the next one.
    const start = '2025-03-01T10:00:00Z'
    const created = await api.app.inject({ method: 'POST', url: '/movements', payload: { venueId: 'ej2-sej-1', locationId: 'ej2-chir-amb-1', start } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ cache: { invalidation: 'pending' } })
    const { bundle } = await fetchExport(api, 'venues', 2)
    expect(encounterLocations(bundle, 'ej2-sej-1').at(-1)).toMatchObject({ location: { reference: 'Location/ej2-chir-amb-1' }, period: { start } })
  })
}
