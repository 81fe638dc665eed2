import { createCache, memoryDriver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createAdminHandler, type AdminAuthorization } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, patternQuery, recordingLogger } from './support/fixtures.js'

function setup(options: { authorize?: (request: Request) => AdminAuthorization | Promise<AdminAuthorization> } = {}) {
  const driver = memoryDriver()
  const cache = createCache({ driver, prefix: 'identity', env: false })
  const logger = recordingLogger()
  const admin = createAdminHandler(options.authorize === undefined ? { cache, token: TOKEN, logger } : { cache, authorize: options.authorize, logger })
  return { driver, cache, logger, admin }
}

describe('token authentication', () => {
  it('answers 401 with WWW-Authenticate: Bearer when no credentials are sent, on every route', async () => {
    const { admin } = setup()
    for (const [route, method] of [['/stats', 'GET'], ['/health', 'GET'], ['/invalidate', 'POST'], ['/flush', 'POST']] as const) {
      const response = await admin(adminRequest(route, { method, token: null, query: 'pattern=*&confirm=yes' }))
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/)
      expect(await bodyOf(response)).toEqual({ error: expect.stringContaining('Authorization: Bearer') })
    }
  })

  it.each([
    ['another scheme', `Basic ${btoa(`admin:${TOKEN}`)}`],
    ['a bearer without credentials', 'Bearer '],
    ['the token without a scheme', TOKEN],
    ['an empty header', ''],
  ])('answers 401 for %s', async (_name, header) => {
    const { admin } = setup()
    const response = await admin(adminRequest('/stats', { token: null, headers: { authorization: header } }))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/)
  })

  it.each([
    ['a wrong token', 'not-the-token-at-all-0000'],
    ['the token minus its last character', TOKEN.slice(0, -1)],
    ['the token plus one character', `${TOKEN}x`],
    ['the token in upper case', TOKEN.toUpperCase()],
    ['a credential of 10 KB', 'a'.repeat(10_240)],
  ])('answers 403 for %s, without WWW-Authenticate', async (_name, credential) => {
    const { admin } = setup()
    const response = await admin(adminRequest('/stats', { token: credential }))
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBeNull()
  })

  it('accepts the scheme in any case and surrounding spaces (RFC 7235)', async () => {
    const { admin } = setup()
    expect((await admin(adminRequest('/health', { token: null, headers: { authorization: `bearer   ${TOKEN}  ` } }))).status).toBe(200)
    expect((await admin(adminRequest('/health', { token: null, headers: { authorization: `BEARER ${TOKEN}` } }))).status).toBe(200)
  })

  it('authenticates before routing: an unknown route or a wrong method is a 401 without credentials', async () => {
    const { admin } = setup()
    expect((await admin(adminRequest('/keys', { token: null }))).status).toBe(401)
    expect((await admin(adminRequest('/stats', { method: 'DELETE', token: null }))).status).toBe(401)
    expect((await admin(adminRequest('/keys'))).status).toBe(404)
  })

  it('deletes nothing for a refused request', async () => {
    const { admin, driver } = setup()
    await driver.set('identity:patient:1', '{}')
    expect((await admin(adminRequest('/invalidate', { method: 'POST', token: null, query: 'pattern=*' }))).status).toBe(401)
    expect((await admin(adminRequest('/flush', { method: 'POST', token: 'wrong-token-wrong-token', query: 'confirm=yes' }))).status).toBe(403)
    expect(await driver.get('identity:patient:1')).toBe('{}')
  })

  it('never puts the token in a response or a log line, whatever happens', async () => {
    const { admin, driver, logger } = setup()
    await driver.set('identity:patient:1', '{"nom":"Martin"}')
    const requests = [
      adminRequest('/stats'),
      adminRequest('/health'),
      adminRequest('/invalidate', { method: 'POST', query: patternQuery('patient:*') }),
      adminRequest('/invalidate', { method: 'POST', query: '' }),
      adminRequest('/flush', { method: 'POST', query: 'confirm=yes' }),
      adminRequest('/flush', { method: 'POST' }),
      adminRequest('/stats', { token: null }),
      adminRequest('/stats', { token: `${TOKEN}x` }),
      adminRequest('/stats', { token: TOKEN.slice(0, 20) }),
      adminRequest('/nowhere'),
      adminRequest('/stats', { method: 'POST' }),
    ]
    const seen: string[] = []
    for (const request of requests) {
      const response = await admin(request)
      seen.push(JSON.stringify([...response.headers]), await response.text())
    }
    expect(logger.lines.length).toBeGreaterThanOrEqual(4) // two deletions, two refusals at least
    for (const text of [...seen, logger.text()]) {
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(TOKEN.slice(0, 20))
      expect(text).not.toContain('Martin') // never a value either
    }
  })

  it('logs a refused request at warn, without the credential', async () => {
    const { admin, logger } = setup()
    await admin(adminRequest('/stats', { token: 'a-wrong-token-of-some-length' }))
    expect(logger.lines).toEqual([
      { level: 'warn', message: expect.stringContaining('[@cachette/admin]'), fields: { operation: 'auth', status: 403, code: 'FORBIDDEN', keyPrefix: 'identity:' } },
    ])
    expect(logger.text()).not.toContain('a-wrong-token')
  })
})

describe('authorize', () => {
  it('lets through true, logged as authorize, and { who }, logged as that caller', async () => {
    const byRole = setup({ authorize: (request) => (request.headers.get('x-role') === 'admin' ? { who: 'alice' } : request.headers.get('x-role') === 'ops' ? true : false) })
    await byRole.driver.set('identity:a', '1')
    await byRole.driver.set('identity:b', '1')
    expect((await byRole.admin(adminRequest('/invalidate', { method: 'POST', token: null, headers: { 'x-role': 'admin' }, query: 'pattern=a' }))).status).toBe(200)
    expect((await byRole.admin(adminRequest('/invalidate', { method: 'POST', token: null, headers: { 'x-role': 'ops' }, query: 'pattern=b' }))).status).toBe(200)
    expect(byRole.logger.lines.map((line) => [line.level, line.fields.who, line.fields.patterns, line.fields.deleted])).toEqual([
      ['info', 'alice', ['a'], 1],
      ['info', 'authorize', ['b'], 1],
    ])
  })

  it('refuses false with 401 without an Authorization header, 403 with one', async () => {
    const { admin } = setup({ authorize: async () => false })
    const missing = await admin(adminRequest('/stats', { token: null }))
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer\b/)
    expect((await admin(adminRequest('/stats', { token: 'whatever-credential' }))).status).toBe(403)
  })

  it('fails closed on an answer that is only truthy', async () => {
    for (const answer of ['yes', 1, { name: 'alice' }, { who: 42 }, null, undefined]) {
      const { admin } = setup({ authorize: () => answer as unknown as AdminAuthorization })
      expect((await admin(adminRequest('/stats'))).status).toBe(403)
    }
  })

  it('answers 500 when authorize throws, logs the error name only, and deletes nothing', async () => {
    const { admin, driver, logger } = setup({
      authorize: () => {
        throw new TypeError('session store said: secret-session-id')
      },
    })
    await driver.set('identity:a', '1')
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=*' }))
    expect(response.status).toBe(500)
    expect(await bodyOf(response)).toEqual({ error: 'authorization could not be checked' })
    expect(await driver.get('identity:a')).toBe('1')
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.any(String), fields: expect.objectContaining({ operation: 'auth', status: 500, code: 'AUTHORIZE_FAILED', errorName: 'TypeError' }) }])
    expect(logger.text()).not.toContain('secret-session-id')
  })

  it('keeps a who fit for a log line: no control characters, at most 128 characters', async () => {
    const { admin, driver, logger } = setup({ authorize: () => ({ who: `eve\n[@cachette/admin] forged line${'x'.repeat(500)}` }) })
    await driver.set('identity:a', '1')
    await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=a' }))
    const who = logger.lines[0]?.fields.who as string
    expect(who).not.toMatch(/[\n\r]/)
    expect(who.length).toBe(128)
    expect(who.startsWith('eve?[@cachette/admin]')).toBe(true)
  })
})
