import { createCache, memoryDriver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createAdminHandler, type AdminLogger } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, recordingLogger } from './support/fixtures.js'

function setup(basePath?: string, logger: AdminLogger = recordingLogger()) {
  const driver = memoryDriver()
  const cache = createCache({ driver, prefix: 'identity', env: false })
  return { driver, cache, admin: createAdminHandler({ cache, token: TOKEN, logger, ...(basePath === undefined ? {} : { basePath }) }) }
}

describe('routing', () => {
  it('serves under /api/cache by default, with JSON that no proxy caches', async () => {
    const { admin } = setup()
    const response = await admin(adminRequest('/health'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it.each([
    ['an unknown route', '/keys'],
    ['the base path itself', ''],
    ['a route below a route', '/stats/extra'],
    ['a route in another case', '/STATS'],
    ['a percent-encoded route', '/%73tats'],
    ['a prototype property', '/constructor'],
  ])('answers 404 for %s under the base path', async (_name, route) => {
    const { admin } = setup()
    const response = await admin(adminRequest(route))
    expect(response.status).toBe(404)
    expect(await bodyOf(response)).toEqual({ error: expect.stringContaining('not found') })
  })

  it('answers 404 outside the base path, without asking for credentials', async () => {
    const { admin } = setup()
    for (const path of ['/', '/api', '/api/cachex/stats', '/api/other/stats']) {
      const response = await admin(new Request(`http://cache.test${path}`))
      expect(response.status).toBe(404)
      expect(response.headers.get('www-authenticate')).toBeNull()
    }
  })

  it('accepts one trailing slash', async () => {
    const { admin } = setup()
    expect((await admin(adminRequest('/health/'))).status).toBe(200)
    expect((await admin(adminRequest('/health//'))).status).toBe(404)
  })

  it.each([
    ['/stats', ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'], 'GET'],
    ['/health', ['POST', 'PATCH'], 'GET'],
    ['/invalidate', ['GET', 'DELETE', 'PUT'], 'POST'],
    ['/flush', ['GET', 'DELETE'], 'POST'],
  ])('answers 405 with Allow on %s for the wrong method, doing nothing', async (route, methods, allowed) => {
    const { admin, driver } = setup()
    await driver.set('identity:patient:1', '{}')
    for (const method of methods) {
      const response = await admin(adminRequest(route, { method, query: 'pattern=*&confirm=yes' }))
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe(allowed)
    }
    expect(await driver.get('identity:patient:1')).toBe('{}')
  })

  it('serves under another base path, or at the root', async () => {
    const custom = setup('/internal/cache-admin')
    expect((await custom.admin(adminRequest('/health', { base: '/internal/cache-admin' }))).status).toBe(200)
    expect((await custom.admin(adminRequest('/health'))).status).toBe(404)
    const root = setup('/')
    expect((await root.admin(adminRequest('/health', { base: '' }))).status).toBe(200)
    expect((await root.admin(adminRequest('/stats', { base: '' }))).status).toBe(200)
  })

  it('never rejects: an unexpected failure (an adapter passing a relative URL) is a logged 500', async () => {
    const logger = recordingLogger()
    const { admin } = setup(undefined, logger)
    const relative = { url: '/api/cache/health', method: 'GET', headers: new Headers({ authorization: `Bearer ${TOKEN}` }) } as unknown as Request
    const response = await admin(relative)
    expect(response.status).toBe(500)
    expect(await bodyOf(response)).toEqual({ error: 'internal error' })
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.any(String), fields: expect.objectContaining({ operation: 'request', status: 500, code: 'INTERNAL', errorName: 'TypeError' }) }])
  })

  it('still answers when the logger throws', async () => {
    const throwing: AdminLogger = {
      info: () => {
        throw new Error('log sink down')
      },
      warn: () => {
        throw new Error('log sink down')
      },
    }
    const { admin, driver } = setup(undefined, throwing)
    await driver.set('identity:patient:1', '{}')
    expect((await admin(adminRequest('/stats', { token: null }))).status).toBe(401)
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=patient:*' }))
    expect(response.status).toBe(200)
    expect(await bodyOf(response)).toEqual({ deleted: 1 })
  })
})
