import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createCache, memoryDriver, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, randomPrefix, recordingLogger } from './support/fixtures.js'
import { keysBelow } from './support/stores.js'

const run = promisify(execFile)
let server: RedisServerHandle
const opened: Driver[] = []

beforeAll(async () => {
  server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(opened.map((driver) => driver.close()))
  await server?.stop()
})

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

describe.each(stores)('POST /flush on %s', (_store, makeDriver) => {
  it.each([
    ['no confirmation', undefined],
    ['an empty confirmation', 'confirm='],
    ['confirm=true', 'confirm=true'],
    ['confirm=YES', 'confirm=YES'],
    ['two confirmations', 'confirm=yes&confirm=yes'],
  ])('refuses %s with a 400 and deletes nothing', async (_name, query) => {
    const driver = makeDriver()
    const service = randomPrefix()
    const cache = createCache({ driver, prefix: service, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, logger })
    await cache.set('patient:1', { id: 1 })
    const response = await admin(adminRequest('/flush', { method: 'POST', ...(query === undefined ? {} : { query }) }))
    expect(response.status).toBe(400)
    expect(await bodyOf(response)).toEqual({ error: expect.stringMatching(/confirm/) })
    expect(await cache.get('patient:1')).toEqual({ id: 1 })
    expect(logger.lines).toEqual([])
  })

  it('with confirm=yes deletes every key below the prefix, and nothing of another service', async () => {
    const driver = makeDriver()
    const service = randomPrefix()
    const other = randomPrefix()
    const cache = createCache({ driver, prefix: service, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, logger })
    for (let id = 0; id < 30; id++) await cache.set(`patient:${id}`, { id })
    await driver.set(`${other}:patient:1`, 'other')
    await driver.set(`${service}-v2:patient:1`, 'a longer prefix')
    const response = await admin(adminRequest('/flush', { method: 'POST', query: 'confirm=yes' }))
    expect(response.status).toBe(200)
    expect(await bodyOf(response)).toEqual({ deleted: 30 })
    expect(await keysBelow(driver, `${service}:`)).toEqual([])
    expect(await driver.get(`${other}:patient:1`)).toBe('other')
    expect(await driver.get(`${service}-v2:patient:1`)).toBe('a longer prefix')
    expect(logger.lines).toEqual([
      { level: 'info', message: '[@cachette/admin] flush', fields: { operation: 'flush', who: 'token', patterns: ['*'], keyPrefix: `${service}:`, status: 200, deleted: 30 } },
    ])
  })

  it('on a cache without prefix deletes only its namespaces', async () => {
    const driver = makeDriver()
    const ns = randomPrefix()
    const cache = createCache({ driver, env: false })
    const logger = recordingLogger()
    const admin = createAdminHandler({ cache, token: TOKEN, namespaces: [`${ns}:fhir:export:`, `${ns}:fmpa:list:`, `${ns}:fhir:export:venues:`], logger })
    await driver.set(`${ns}:fhir:export:venues:ej:1`, '{}')
    await driver.set(`${ns}:fhir:export:structure:ej:1`, '{}')
    await driver.set(`${ns}:fmpa:list:7:abc`, '{}')
    await driver.set(`${ns}:fhir:import:1`, 'kept')
    await driver.set(`${ns}:session:1`, 'kept')
    const response = await admin(adminRequest('/flush', { method: 'POST', query: 'confirm=yes' }))
    expect(await bodyOf(response)).toEqual({ deleted: 3 })
    expect(await keysBelow(driver, ns)).toEqual([`${ns}:fhir:import:1`, `${ns}:session:1`])
    // The namespace inside another is not scanned twice.
    expect(logger.lines[0]?.fields.patterns).toEqual([`${ns}:fhir:export:*`, `${ns}:fmpa:list:*`])
  })
})

describe('POST /flush on redis-server', () => {
  it('never sends FLUSHDB or FLUSHALL, nor KEYS (the server rejects them here)', async () => {
    // Renamed to names nobody sends (an empty name can be given once only).
    const hidden = (command: string) => ['--rename-command', command, `${command.toLowerCase()}-${randomPrefix()}`]
    const guarded = await startRedisServer({ args: [...hidden('FLUSHDB'), ...hidden('FLUSHALL'), ...hidden('KEYS')] })
    const driver = ioredisDriver({ url: guarded.url })
    try {
      const cache = createCache({ driver, prefix: 'fhir', env: false })
      const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
      for (let id = 0; id < 1_200; id++) await cache.set(`export:patients:ej:${id}`, { id })
      await driver.set('other:1', 'kept')
      const response = await admin(adminRequest('/flush', { method: 'POST', query: 'confirm=yes' }))
      expect(await bodyOf(response)).toEqual({ deleted: 1_200 })
      // What is left: the other service's key (and the fence's tombstones, which expire on their own).
      expect(await keysBelow(driver, '')).toEqual(['other:1'])
      // The guard is real: the server refuses FLUSHDB.
      const { stdout } = await run('redis-cli', ['-p', String(guarded.port), 'FLUSHDB'])
      expect(stdout).toMatch(/unknown command/i)
    } finally {
      await driver.close()
      await guarded.stop()
    }
  })
})
