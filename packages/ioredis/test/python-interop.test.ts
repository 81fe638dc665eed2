import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createCache, defineKey, type Cache } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * `wire: 'plain'` against a real Python service on a real redis-server (issue 12): the identity
 * service of seed 001 writes `SETEX key ttl <model_dump_json()>` and reads with `json.loads`;
 * Cachette must read what it writes and write what it reads, every key with a TTL.
 * Needs Debian's python3-redis (in the README's test command).
 */

const SCRIPT = fileURLToPath(new URL('./fixtures/python_service.py', import.meta.url))
// Debian's python3-redis is installed for the system interpreter; a pyenv or venv python3 earlier
// in PATH would not see it. CACHETTE_PYTHON overrides.
const PYTHON = process.env['CACHETTE_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')

/** Runs one command of the Python service and returns what it printed, parsed. */
function python(url: string, ...args: string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [SCRIPT, url, ...args], { encoding: 'utf8', timeout: 15_000 })
  if (run.error !== undefined) throw run.error
  if (run.status !== 0) throw new Error(`python exited with ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout) as Record<string, unknown>
}

const patientKey = defineKey('patient:{id}', { ttl: '10m' })
const patient = { id: 42, nom: 'KOUADIO', prenoms: 'Aya Éloïse', date_naissance: '1990-03-14', actif: true, telephones: ['+225 07 00 00 00'], adresse: null }

let server: RedisServerHandle
let cache: Cache
let prefix: string
beforeAll(async () => {
  server = await startRedisServer()
  prefix = randomPrefix('py')
  cache = createCache({ driver: ioredisDriver({ url: server.url }), prefix, wire: 'plain', env: false })
})
afterAll(async () => {
  await cache?.close({ driver: true })
  await server?.stop()
})

describe("wire: 'plain' shares keys with a Python service (redis-py, json)", () => {
  it('Cachette reads an entry the Python service wrote with SETEX, and the entry has its TTL', async () => {
    expect(python(server.url, 'setex', `${prefix}:patient:42`, '600', JSON.stringify(patient))).toEqual({ ok: true })
    const loader = () => Promise.reject(new Error('the entry was in Redis: no load'))
    expect(await cache.getOrSet(patientKey({ id: 42 }), loader)).toEqual(patient)
    expect(await cache.get(patientKey({ id: 42 }))).toEqual(patient)
    const read = python(server.url, 'get', `${prefix}:patient:42`)
    expect(read['pttl']).toBeGreaterThan(0)
    expect(read['pttl']).toBeLessThanOrEqual(600_000)
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 0, decodeFailures: 0 })
  })

  it('the Python service reads with json.loads an entry Cachette wrote, and the entry has its TTL', async () => {
    const other = { ...patient, id: 43, nom: 'DIALLO' }
    expect(await cache.set(patientKey({ id: 43 }), other)).toBe(true)
    const read = python(server.url, 'get', `${prefix}:patient:43`)
    expect(read['value']).toEqual(other)
    expect(read['pttl']).toBeGreaterThan(590_000)
    expect(read['pttl']).toBeLessThanOrEqual(600_000)
  })

  it('and an entry a getOrSet loaded', async () => {
    const loaded = { ...patient, id: 44 }
    expect(await cache.getOrSet(patientKey({ id: 44 }), () => loaded)).toEqual(loaded)
    await expect.poll(() => python(server.url, 'get', `${prefix}:patient:44`)['value']).toEqual(loaded)
    expect(python(server.url, 'get', `${prefix}:patient:44`)['pttl']).toBeGreaterThan(0)
  })
})
