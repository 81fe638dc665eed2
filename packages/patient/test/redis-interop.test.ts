import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { createCache, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PATIENT_HASH_FIELDS, PatientSchema, createPatientCache, isDuplicatePatientError, type PatientCache } from '../src/index.js'
import { SEED_HASH, randomCode, seedPatient } from './support/fixtures.js'

const run = promisify(execFile)

let server: RedisServerHandle
const drivers: Driver[] = []

/** redis-cli against the test server, arguments passed as is (no shell), raw output. */
async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), '--raw', ...args])
  return stdout
}

/** `redis-cli --raw HGETALL` prints field and value lines alternately (no value here holds a line feed). */
function parseHgetall(output: string): Record<string, string> {
  const values = output.replace(/\n$/, '').split('\n')
  const fields: Record<string, string> = {}
  for (let i = 0; i < values.length; i += 2) fields[values[i] as string] = values[i + 1] as string
  return fields
}

function patientCacheOnRedis(etablissement: string = randomUUID()): PatientCache {
  const driver = ioredisDriver({ url: server.url })
  drivers.push(driver)
  const cache = createCache({ driver, env: false })
  return createPatientCache({ cache, etablissement, env: false })
}

beforeAll(async () => {
  server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(drivers.map((driver) => driver.close()))
  await server?.stop()
})

describe('the patient HASH on a real redis-server', () => {
  it("is stored with exactly seed 000's field names and a TTL, as redis-cli sees it", async () => {
    const patients = patientCacheOnRedis()
    const code = randomCode()
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    const key = patients.keyOf(code)
    expect(key).toMatch(/^soins_suite_[0-9a-f-]{36}_patient_cache:CI-20250108-/)
    const fields = parseHgetall(await redisCli('HGETALL', key))
    expect(Object.keys(fields).sort()).toEqual([...PATIENT_HASH_FIELDS].sort())
    expect(fields).toEqual({ ...SEED_HASH, code_patient: code })
    const ttl = Number(await redisCli('TTL', key))
    expect(ttl).toBeGreaterThan(3_590)
    expect(ttl).toBeLessThanOrEqual(3_600)
  })

  it('reads back a HASH written by hand with redis-cli HSET in the seed layout', async () => {
    const etablissement = randomUUID()
    const patients = patientCacheOnRedis(etablissement)
    const code = randomCode()
    const key = `soins_suite_${etablissement}_patient_cache:${code}`
    const args = Object.entries({ ...SEED_HASH, code_patient: code }).flat()
    await redisCli('HSET', key, ...args)
    await redisCli('EXPIRE', key, '3600')
    const patient = await patients.getByCode(code, async () => {
      throw new Error('must be served from the hand-written HASH')
    })
    expect(patient).toEqual(PatientSchema.parse(seedPatient({ code_patient: code })))
  })

  it("reads what the seed's Go writer leaves (HMSET of a subset, no assurances)", async () => {
    const etablissement = randomUUID()
    const patients = patientCacheOnRedis(etablissement)
    const code = randomCode()
    const key = `soins_suite_${etablissement}_patient_cache:${code}`
    const goFields = ['id', 'code_patient', 'nom', 'prenoms', 'date_naissance', 'sexe', 'telephone_principal', 'adresse_complete', 'etablissement_createur_id', 'est_assure', 'statut', 'created_at', 'updated_at']
    await redisCli('HMSET', key, ...goFields.flatMap((field) => [field, field === 'code_patient' ? code : (SEED_HASH[field] as string)]))
    const patient = await patients.get(code)
    expect(patient).toMatchObject({ code_patient: code, est_assure: true, assurances: [], email: null, ville: null })
  })

  it('refuses the second of two services creating the same person at once (the lock is shared through Redis)', async () => {
    const serviceA = patientCacheOnRedis('etab-a')
    const serviceB = patientCacheOnRedis('etab-b')
    const identity = { nom: `Touré ${randomUUID().slice(0, 6)}`, prenoms: 'Aïssata', date_naissance: '1979-11-02' }
    let finish!: () => void
    const slow = new Promise<void>((resolve) => (finish = resolve))
    const first = serviceA.createWithLock(identity, async () => {
      await slow
      return seedPatient({ code_patient: randomCode() })
    })
    await expect.poll(async () => redisCli('GET', `soins_suite_patient_lock:${serviceA.identityFingerprint(identity)}`)).toContain('etab-a')
    const second = await serviceB.createWithLock({ ...identity, nom: identity.nom.toUpperCase().replace('É', 'E') }, async () => seedPatient()).catch((error: unknown) => error)
    expect(isDuplicatePatientError(second)).toBe(true)
    expect(second).toMatchObject({ heldBy: 'etab-a' })
    finish()
    await first
    expect(await redisCli('EXISTS', `soins_suite_patient_lock:${serviceA.identityFingerprint(identity)}`)).toContain('0')
  })
})
