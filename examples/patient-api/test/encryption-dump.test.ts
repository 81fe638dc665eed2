import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import type { Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { PATIENT_SEALED_FIELDS } from '@cachette/patient'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createAppCaches, type AppCaches } from '../src/caches.js'
import type { Database } from '../src/db/database.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'
import { captureLogs, TEST_LOCK_SECRET } from './support/api-suite.js'

/**
 * The must-show of encryption at rest: with CACHE_ENCRYPTION_KEYS / CACHE_ENCRYPTION_CURRENT in the
 * service's environment, after patients are created, read, updated and searched through the HTTP
 * routes, nothing in redis-server (key names or values, whatever the type) and nothing the service
 * ever sent to it (transient lock and fence keys included) holds a patient's name, phone or email.
 */

/** Every argument of every driver call, as JSON (key names and values sent to the store). */
function recordingDriver(inner: Driver, sent: string[]): Driver {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        sent.push(JSON.stringify(args, (_key, item: unknown) => (item instanceof Uint8Array ? Buffer.from(item).toString('latin1') : item)))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

/** SCAN of the whole server: each key with its type and everything it holds. */
async function dumpRedis(redis: Redis): Promise<{ key: string; type: string; content: string[] }[]> {
  const dump: { key: string; type: string; content: string[] }[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const type = await redis.type(key)
      let content: string[]
      if (type === 'string') content = [(await redis.get(key)) ?? '']
      else if (type === 'hash') content = Object.entries(await redis.hgetall(key)).flat()
      else if (type === 'set') content = await redis.smembers(key)
      else if (type === 'zset') content = await redis.zrange(key, 0, -1, 'WITHSCORES')
      else if (type === 'list') content = await redis.lrange(key, 0, -1)
      else if (type === 'none') continue // expired between SCAN and TYPE
      else throw new Error(`a key of type ${type} this dump does not read`)
      dump.push({ key, type, content })
    }
  } while (cursor !== '0')
  return dump
}

const unique = () => randomUUID().replace(/[^a-f]/g, '').slice(0, 6).padEnd(6, 'x')

/** Four patients whose name, phones and email appear nowhere else (letters only in names). */
function people() {
  return [0, 1, 2, 3].map((n) => {
    const tag = unique()
    return {
      nom: `Kouame${tag}`,
      prenoms: `Aya${tag} Clarisse`,
      date_naissance: `197${n}-0${n + 1}-1${n}`,
      sexe: n % 2 === 0 ? ('F' as const) : ('M' as const),
      telephone_principal: `+225 07 ${randomInt(10, 99)} ${randomInt(10, 99)} ${randomInt(10, 99)} 4${n}`,
      telephone_secondaire: `+225 01 ${randomInt(10, 99)} ${randomInt(10, 99)} ${randomInt(10, 99)} 5${n}`,
      email: `aya.${tag}${n}@example.org`,
      adresse_complete: `Rue ${tag} ${n}, Marcory`,
      ville: 'Abidjan',
      commune: 'Marcory',
      est_assure: true,
      assurances: [{ id: randomUUID(), nom: 'CNAM', numero: `CNAM-${tag}-${n}`, type: 'principal' }],
    }
  })
}

describe('patient API with CACHE_ENCRYPTION_KEYS on a real redis-server: a dump of the server holds no patient data', () => {
  let db: Database
  let server: RedisServerHandle
  let caches: AppCaches
  let app: FastifyInstance
  let redis: Redis
  const sent: string[] = []
  const logs = captureLogs()
  const etablissement = randomUUID()

  beforeAll(async () => {
    db = await pgliteDatabase()
    await migrate(db)
    server = await startRedisServer()
    redis = new Redis(server.url)
    const env = { CACHE_ENCRYPTION_KEYS: `2026-11:${randomBytes(32).toString('base64')},2026-12:${randomBytes(32).toString('base64')}`, CACHE_ENCRYPTION_CURRENT: '2026-12' }
    caches = createAppCaches({ driver: recordingDriver(ioredisDriver({ url: server.url }), sent), etablissement, env, lockSecret: TEST_LOCK_SECRET, logger: logs.cacheLogger })
    app = buildApp({ db, caches, etablissement, logger: { stream: logs.stream } })
    await app.ready()
  })

  afterAll(async () => {
    await app?.close()
    await caches?.close()
    await caches?.driver.close()
    redis?.disconnect()
    await server?.stop()
    await db?.close()
  })

  it('after creating, reading, updating and searching patients through the routes, no name, phone or email is in any key or value', async () => {
    const persons = people()
    const codes: string[] = []
    for (const person of persons) {
      const created = await app.inject({ method: 'POST', url: '/patients', payload: person })
      expect(created.statusCode).toBe(201)
      codes.push(created.json().code_patient)
    }
    // Reads: hits served from the sealed HASH, with the patient's data.
    for (const [i, code] of codes.entries()) {
      const read = await app.inject({ method: 'GET', url: `/patients/${code}` })
      expect(read.statusCode).toBe(200)
      expect(read.json()).toMatchObject({ nom: persons[i]?.nom, email: persons[i]?.email, telephone_principal: persons[i]?.telephone_principal })
    }
    // An update (invalidation after commit, then a read-through that rewrites the HASH), with a new phone and email.
    const changed = { telephone_principal: '+225 05 11 22 33 44', email: `nouvelle.${unique()}@example.org` }
    expect((await app.inject({ method: 'PATCH', url: `/patients/${codes[0]}`, payload: changed })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: `/patients/${codes[0]}` })).json()).toMatchObject(changed)
    // A search (never cached) and the dashboard (an identity:* entry of the cache).
    expect((await app.inject({ method: 'GET', url: `/patients?q=${encodeURIComponent(persons[1]?.nom ?? '')}` })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/statistics/dashboard' })).statusCode).toBe(200)
    const stats = (await app.inject({ method: 'GET', url: '/cache/stats' })).json()
    expect(stats.patients.hits).toBeGreaterThanOrEqual(4)

    const dump = await dumpRedis(redis)
    // What the dump must show: the four patient HASHes (sealed) and the dashboard entry are there.
    const hashes = dump.filter((entry) => entry.type === 'hash' && entry.key.includes('_patient_cache:'))
    expect(hashes.map((entry) => entry.key).sort()).toEqual(codes.map((code) => caches.patients.keyOf(code)).sort())
    for (const entry of hashes) {
      const fields = Object.fromEntries(entry.content.flatMap((item, i, all) => (i % 2 === 0 ? [[item, all[i + 1] as string]] : [])))
      for (const field of PATIENT_SEALED_FIELDS) if (fields[field] !== undefined) expect(fields[field]).toMatch(/^@s1 2026-12 /)
    }
    expect(dump.some((entry) => entry.key === 'identity:stats:dashboard')).toBe(true)

    const secrets = [...persons, changed].flatMap((person) =>
      Object.entries(person)
        .filter(([field]) => ['nom', 'prenoms', 'telephone_principal', 'telephone_secondaire', 'email', 'adresse_complete', 'date_naissance'].includes(field))
        .map(([, value]) => String(value)),
    )
    // Names also as the duplicate rule folds them (lower case), phones also without spaces.
    const variants = [...secrets, ...secrets.map((secret) => secret.toLowerCase()), ...secrets.filter((secret) => secret.startsWith('+')).map((secret) => secret.replace(/\s/g, ''))]
    const leaks = (text: string) => variants.filter((secret) => text.toLowerCase().includes(secret.toLowerCase()))
    const found = dump.flatMap((entry) => [...leaks(entry.key).map((secret) => `key name ${entry.key} holds ${secret}`), ...leaks(entry.content.join('\n')).map((secret) => `${entry.type} ${entry.key} holds ${secret}`)])
    expect(found).toEqual([])
    // Nothing sent to the store either, transient keys (anti-duplicate locks, fence claims) included.
    expect(sent.length).toBeGreaterThan(20)
    expect(sent.flatMap(leaks)).toEqual([])
    // The lock keys are HMACs of the identity: lower-case hex only after the prefix.
    const lockKeys = sent.filter((line) => line.includes('soins_suite_patient_lock:')).map((line) => /soins_suite_patient_lock:([^"]*)/.exec(line)?.[1])
    expect(lockKeys.length).toBeGreaterThanOrEqual(4)
    for (const fingerprint of lockKeys) expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    // Nor in what the service logged.
    expect(logs.lines.flatMap(leaks)).toEqual([])
  })
})
