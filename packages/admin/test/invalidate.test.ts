import { createCache, memoryDriver, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { chaosDriver, startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, patternQuery, randomPrefix, recordingLogger } from './support/fixtures.js'
import { keysBelow } from './support/stores.js'

let server: RedisServerHandle
const opened: Driver[] = []

beforeAll(async () => {
  server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(opened.map((driver) => driver.close()))
  await server?.stop()
})

/** A fresh store for each test: a memory driver, or a connection to the shared redis-server (keys told apart by random prefixes). */
const stores: readonly [string, () => Driver][] = [
  ['memory', () => memoryDriver()],
  [
    'redis-server',
    () => {
      const driver = ioredisDriver({ url: server.url })
      opened.push(driver)
      return driver
    },
  ],
]

describe.each(stores)('POST /invalidate on %s', (_store, makeDriver) => {
  it('with a good token, pattern=* deletes nothing outside the cache (a key of another service in the same database survives)', async () => {
    const driver = makeDriver()
    const service = randomPrefix()
    const other = randomPrefix()
    const cache = createCache({ driver, prefix: service, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, logger })
    await cache.set('fhir:export:venues:ej:1', { venues: 3 })
    await cache.set('fhir:export:patients:ej:1', { patients: 12 })
    await driver.set(`${other}:session:42`, 'another service')
    await driver.set(`${other}${service}:x`, 'looks alike')
    await driver.set(`${service}x:y`, 'a longer prefix')

    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=*' }))
    expect(response.status).toBe(200)
    expect(await bodyOf(response)).toEqual({ deleted: 2 })
    expect(await keysBelow(driver, service)).toEqual([`${service}x:y`])
    expect(await driver.get(`${other}:session:42`)).toBe('another service')
    expect(await driver.get(`${other}${service}:x`)).toBe('looks alike')
    expect(logger.lines).toEqual([
      { level: 'info', message: '[@cachette/admin] invalidate', fields: { operation: 'invalidate', who: 'token', patterns: ['*'], keyPrefix: `${service}:`, status: 200, deleted: 2 } },
    ])
  })

  it('without a token answers 401, with a wrong one 403, and deletes nothing either way', async () => {
    const driver = makeDriver()
    const service = randomPrefix()
    const cache = createCache({ driver, prefix: service, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, logger })
    await cache.set('fhir:export:venues:ej:1', { venues: 3 })
    expect((await admin(adminRequest('/invalidate', { method: 'POST', token: null, query: 'pattern=*' }))).status).toBe(401)
    expect((await admin(adminRequest('/invalidate', { method: 'POST', token: 'Wrong-token-Wrong-token', query: 'pattern=*' }))).status).toBe(403)
    expect(await keysBelow(driver, service)).toEqual([`${service}:fhir:export:venues:ej:1`])
    expect(logger.text()).not.toContain(TOKEN)
    expect(logger.lines.map((line) => line.fields.status)).toEqual([401, 403])
  })

  it("deletes seed 002's patterns inside the namespaces of a cache without prefix, and nothing else", async () => {
    const driver = makeDriver()
    const ns = randomPrefix()
    const cache = createCache({ driver, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, namespaces: [`${ns}:fhir:export:`], logger })
    for (const type of ['structure', 'patients', 'venues']) for (const ej of [1, 2]) await driver.set(`${ns}:fhir:export:${type}:ej:${ej}`, '{}')
    await driver.set(`${ns}:fhir:import:batch:1`, '{}')
    await driver.set(`${ns}:patient:1`, '{}')

    const invalidate = async (pattern: string) => admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(pattern) }))
    expect(await bodyOf(await invalidate(`${ns}:fhir:export:venues:*`))).toEqual({ deleted: 2 })
    expect(await bodyOf(await invalidate(`${ns}:fhir:export:*:ej:1`))).toEqual({ deleted: 2 })
    expect(await bodyOf(await invalidate(`${ns}:fhir:export:*`))).toEqual({ deleted: 2 })
    expect(await keysBelow(driver, ns)).toEqual([`${ns}:fhir:import:batch:1`, `${ns}:patient:1`])

    const outside = await invalidate('*')
    expect(outside.status).toBe(400)
    expect(await keysBelow(driver, ns)).toHaveLength(2)
    expect(logger.lines.filter((line) => line.level === 'info').map((line) => line.fields.deleted)).toEqual([2, 2, 2])
  })

  it.each([
    ['a star in the namespace', 'f*:'],
    ['a range in place of its first letter', '[a-z]hir:export:*'],
    ['a question mark inside it', 'fhir:expor?:*'],
    ['a negated class', '[^x]hir:export:*'],
    ['a star right after a shorter literal', 'fhir:*'],
    ['a lone star', '*'],
    ['a lone question mark', '?'],
    ['an escaped star where the namespace continues', 'fhir:export\\*'],
    ['another namespace', 'fhir:import:*'],
    ['the namespace without its separator', 'fhir:export*'],
  ])('refuses %s with a 400 and deletes nothing', async (_name, pattern) => {
    const driver = makeDriver()
    const cache = createCache({ driver, env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, namespaces: ['fhir:export:'], logger: recordingLogger() })
    const tag = randomPrefix()
    const keys = [`fhir:export:venues:${tag}`, `fhir:import:${tag}`, `fhir:exports:${tag}`, `ghir:export:${tag}`, `fhir:expor_:${tag}`]
    for (const key of keys) await driver.set(key, '{}')
    try {
      const response = await admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(pattern) }))
      expect(response.status).toBe(400)
      expect(await bodyOf(response)).toEqual({ error: expect.stringContaining("this cache's namespaces") })
      for (const key of keys) expect(await driver.get(key)).toBe('{}')
    } finally {
      await driver.delete(keys)
    }
  })

  it('accepts escapes that spell the namespace out literally', async () => {
    const driver = makeDriver()
    const cache = createCache({ driver, env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, namespaces: ['fhir-export:'], logger: recordingLogger() })
    const tag = randomPrefix()
    await driver.set(`fhir-export:${tag}:1`, '{}')
    await driver.set(`fhir-export:${tag}:2`, '{}')
    const escaped = await admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(`fhir\\-export\\:${tag}:1`) }))
    expect(await bodyOf(escaped)).toEqual({ deleted: 1 })
    const plain = await admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(`fhir-export:${tag}:?`) }))
    expect(await bodyOf(plain)).toEqual({ deleted: 1 })
  })
})

describe('POST /invalidate input', () => {
  const cache = createCache({ driver: memoryDriver(), env: false })
  const admin = createAdminHandler({ cache, token: TOKEN, namespaces: ['fhir:export:'], logger: recordingLogger() })
  const secret = 'CI-20250108-00001'

  it.each([
    ['no pattern', '', /pattern parameter is required/],
    ['an unrelated parameter only', 'type=venues', /pattern parameter is required/],
    ['an empty pattern', 'pattern=', /empty/],
    ['a pattern given twice', 'pattern=fhir:export:a&pattern=fhir:export:b', /once/],
    ['a pattern of 1025 bytes', patternQuery(`fhir:export:${'a'.repeat(1013)}`), /longer than 1024 bytes/],
    ['a pattern of 1025 bytes from 2-byte characters', patternQuery(`fhir:export:${'é'.repeat(506)}a`), /longer than 1024 bytes/],
    ['a pattern of 10 KB', patternQuery(`fhir:export:${secret}:${'x'.repeat(10_240)}`), /longer than 1024 bytes/],
    ['a NUL byte', patternQuery(`fhir:export:${secret}\u0000*`), /control character/],
    ['a line feed', patternQuery(`fhir:export:${secret}\n*`), /control character/],
    ['DEL', patternQuery(`fhir:export:${secret}\u007f`), /control character/],
    ['a C1 control', patternQuery(`fhir:export:${secret}\u0085`), /control character/],
    ['bytes that are not UTF-8', `pattern=fhir:export:${secret}:%C3%28`, /not valid percent-encoded UTF-8/],
    ['a lone continuation byte', `pattern=fhir:export:${secret}:%80`, /not valid percent-encoded UTF-8/],
    ['a malformed escape', `pattern=fhir:export:${secret}:%ZZ`, /not valid percent-encoded UTF-8/],
    ['a truncated escape', `pattern=fhir:export:${secret}:%E2%82`, /not valid percent-encoded UTF-8/],
    ['a malformed parameter name', `pat%ZZtern=x&pattern=fhir:export:${secret}`, /not valid percent-encoded UTF-8/],
    ['no namespace', patternQuery(`${secret}:*`), /namespaces/],
  ])('refuses %s with a 400 that says which rule it broke, without echoing the pattern', async (_name, query, message) => {
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query }))
    expect(response.status).toBe(400)
    const body = await bodyOf(response)
    expect(Object.keys(body)).toEqual(['error'])
    expect(body.error).toMatch(message)
    expect(body.error).not.toContain(secret)
    expect(body.error).not.toContain('aaaaaaaaaa')
  })

  it('accepts exactly 1024 bytes, and + as a space', async () => {
    const at1024 = await admin(adminRequest('/invalidate', { method: 'POST', query: patternQuery(`fhir:export:${'a'.repeat(1012)}`) }))
    expect(at1024.status).toBe(200)
    const driver = memoryDriver()
    const spaced = createCache({ driver, env: false })
    await driver.set('fhir:export:a b', '{}')
    const handler = createAdminHandler({ cache: spaced, token: TOKEN, namespaces: ['fhir:export:'], logger: recordingLogger() })
    expect(await bodyOf(await handler(adminRequest('/invalidate', { method: 'POST', query: 'pattern=fhir:export:a+b' })))).toEqual({ deleted: 1 })
  })
})

describe('POST /invalidate when the cache cannot delete', () => {
  it('answers 503 with the store error code, and logs who and what failed', async () => {
    const driver = chaosDriver(memoryDriver())
    const cache = createCache({ driver, prefix: 'identity', env: false, logger: { warn: () => undefined } })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, logger })
    await cache.set('patient:1', { id: 1 })
    driver.chaos.set({ failureRate: 1, methods: ['scan'] })
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=patient:*' }))
    expect(response.status).toBe(503)
    expect(await bodyOf(response)).toEqual({ error: expect.stringContaining('retry'), code: 'DRIVER_FAILURE' })
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: expect.stringContaining('invalidate failed'),
        fields: { operation: 'invalidate', who: 'token', patterns: ['patient:*'], keyPrefix: 'identity:', status: 503, deleted: 0, code: 'DRIVER_FAILURE', errorName: 'DriverError' },
      },
    ])
    // Nothing was deleted (the failing SCAN found nothing); the cache's invalidation queue retries it.
    expect(await driver.get('identity:patient:1')).not.toBeNull()
    expect(cache.stats().invalidationsPending).toBe(1)
  })

  it('answers 409 on a disabled cache instead of reporting 0 deleted', async () => {
    const driver = memoryDriver()
    const cache = createCache({ driver, prefix: 'identity', enabled: false, env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    await driver.set('identity:patient:1', '{}')
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=*' }))
    expect(response.status).toBe(409)
    expect(await bodyOf(response)).toEqual({ error: expect.stringContaining('disabled') })
    expect(await driver.get('identity:patient:1')).toBe('{}')
  })

  it('answers 503 CLOSED once the cache is closed', async () => {
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    await cache.close()
    const response = await admin(adminRequest('/invalidate', { method: 'POST', query: 'pattern=*' }))
    expect(response.status).toBe(503)
    expect(await bodyOf(response)).toMatchObject({ code: 'CLOSED' })
  })
})
