import { createCache, memoryDriver } from '@cachette/core'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler, type AdminHandler } from '../src/index.js'
import { TOKEN, recordingLogger } from './support/fixtures.js'

/** The adapter README.md shows for Fastify: a web Request from Fastify's, the Response back through reply. */
function mountAdmin(app: FastifyInstance, admin: AdminHandler, basePath = '/api/cache'): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const response = await admin(new Request(new URL(request.url, 'http://localhost'), { method: request.method, headers }))
    return reply.code(response.status).headers(Object.fromEntries(response.headers)).send(await response.text())
  }
  app.all(basePath, handler)
  app.all(`${basePath}/*`, handler)
}

describe('mounted in a real Fastify app (app.inject)', () => {
  const driver = memoryDriver()
  const cache = createCache({ driver, prefix: 'fhir', env: false })
  const logger = recordingLogger()
  const app = Fastify()

  beforeAll(async () => {
    mountAdmin(app, createAdminHandler({ cache, token: TOKEN, logger }))
    app.get('/patients', async () => ({ ok: true }))
    await app.ready()
  })

  afterAll(async () => {
    await app.close()
  })

  it('answers 401 with WWW-Authenticate without a token, 403 with a wrong one', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/cache/stats' })
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer\b/)
    const wrong = await app.inject({ method: 'GET', url: '/api/cache/stats', headers: { authorization: 'Bearer not-the-right-token' } })
    expect(wrong.statusCode).toBe(403)
  })

  it("serves seed 002's calls: stats, invalidate by pattern, flush, health", async () => {
    const authorization = `Bearer ${TOKEN}`
    await cache.set('export:venues:ej:1', { venues: [] })
    await cache.set('export:venues:ej:2', { venues: [] })
    await cache.set('export:structure:ej:1', { structure: {} })
    await driver.set('identity:patient:1', 'another service')

    const stats = await app.inject({ method: 'GET', url: '/api/cache/stats', headers: { authorization } })
    expect(stats.statusCode).toBe(200)
    expect(stats.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(stats.json()).toMatchObject({ enabled: true, keys: 4, cache: { sets: 3 } })

    const invalidate = await app.inject({ method: 'POST', url: '/api/cache/invalidate?pattern=export:venues:*', headers: { authorization } })
    expect(invalidate.json()).toEqual({ deleted: 2 })

    expect((await app.inject({ method: 'POST', url: '/api/cache/flush', headers: { authorization } })).statusCode).toBe(400)
    const flush = await app.inject({ method: 'POST', url: '/api/cache/flush?confirm=yes', headers: { authorization } })
    expect(flush.json()).toEqual({ deleted: 1 })
    expect(await driver.get('identity:patient:1')).toBe('another service')

    const health = await app.inject({ method: 'GET', url: '/api/cache/health', headers: { authorization } })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toMatchObject({ ok: true, driver: 'memory' })

    const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/cache/flush', headers: { authorization } })
    expect(wrongMethod.statusCode).toBe(405)
    expect(wrongMethod.headers.allow).toBe('POST')

    expect(logger.lines.filter((line) => line.level === 'info').map((line) => [line.fields.operation, line.fields.deleted])).toEqual([
      ['invalidate', 2],
      ['flush', 1],
    ])
    expect(logger.text()).not.toContain(TOKEN)
  })

  it('leaves the rest of the app alone', async () => {
    expect((await app.inject({ method: 'GET', url: '/patients' })).json()).toEqual({ ok: true })
  })
})
