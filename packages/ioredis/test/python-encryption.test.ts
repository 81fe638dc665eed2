import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createCache, defineKey, type Cache } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * Encrypted entries (envelope version 3) are a wire format another language can implement: a
 * Python service with redis-py and `cryptography` (Debian's python3-redis and python3-cryptography,
 * in the README's test command) opens what Cachette sealed and seals what Cachette opens, on one
 * real redis-server.
 */

const SCRIPT = fileURLToPath(new URL('./fixtures/python_encrypted.py', import.meta.url))
const PYTHON = process.env['CACHETTE_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 256)).toString('base64')

function python(...args: string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 15_000 })
  if (run.error !== undefined) throw run.error
  if (run.status !== 0) throw new Error(`python exited with ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout) as Record<string, unknown>
}

const patientKey = defineKey('patient:{id}', { ttl: '10m' })
const patient = { id: 42, nom: 'KOUADIO', prenoms: 'Aya Éloïse', telephone: '+225 07 00 00 00' }

let server: RedisServerHandle
let cache: Cache
let prefix: string
beforeAll(async () => {
  server = await startRedisServer()
  prefix = randomPrefix('enc')
  cache = createCache({ driver: ioredisDriver({ url: server.url }), prefix, env: false, encryption: { keys: { py: KEY }, current: 'py' } })
})
afterAll(async () => {
  await cache?.close({ driver: true })
  await server?.stop()
})

describe('encrypted entries shared with a Python service (redis-py, cryptography AESGCM)', () => {
  it('Python opens what Cachette sealed', async () => {
    expect(await cache.set(patientKey({ id: 42 }), patient, { tags: ['ej:1'] })).toBe(true)
    expect(python(server.url, 'open', `${prefix}:patient:42`, `py:${KEY}`)).toEqual({ value: patient, k: 'py' })
  })

  it('Cachette opens what Python sealed, and not under another key name', async () => {
    const other = { ...patient, id: 43, nom: 'DIALLO' }
    expect(python(server.url, 'seal', `${prefix}:patient:43`, `py:${KEY}`, '600000', JSON.stringify(other))).toEqual({ ok: true })
    expect(await cache.get(patientKey({ id: 43 }))).toEqual(other)
    // Sealed for patient 44's key but stored under 45's: refused.
    expect(python(server.url, 'seal', `${prefix}:patient:44`, `py:${KEY}`, '600000', JSON.stringify(other))).toEqual({ ok: true })
    const driver = ioredisDriver({ url: server.url })
    try {
      await driver.set(`${prefix}:patient:45`, (await driver.get(`${prefix}:patient:44`)) as string, { ttlMs: 600_000 })
    } finally {
      await driver.close()
    }
    expect(await cache.get(patientKey({ id: 45 }))).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(1)
  })
})
