import { randomUUID } from 'node:crypto'
import { createCache, memoryDriver, type BatchCommand, type Cache, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPatientCache, type PatientCache, type PatientCacheOptions, type PatientStorage } from '../src/index.js'
import { keyContent, memoryLogger, randomCode, seedPatient } from './support/fixtures.js'

let server: RedisServerHandle
const drivers: Driver[] = []

beforeAll(async () => {
  server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(drivers.map((driver) => driver.close()))
  await server?.stop()
})

type Backend = 'memory' | 'redis'

function newDriver(backend: Backend): Driver {
  if (backend === 'memory') return memoryDriver()
  const driver = ioredisDriver({ url: server.url })
  drivers.push(driver)
  return driver
}

interface Setup {
  readonly driver: Driver
  readonly cache: Cache
  readonly patients: PatientCache
  readonly logger: ReturnType<typeof memoryLogger>
  /** How many times the loader ran, per code. */
  readonly loads: Map<string, number>
  load(code: string): Promise<ReturnType<typeof seedPatient>>
}

function setup(backend: Backend, storage: PatientStorage, options: Partial<PatientCacheOptions> & { prefix?: string | null; driver?: Driver } = {}): Setup {
  const { prefix, driver: given, ...rest } = options
  const driver = given ?? newDriver(backend)
  const logger = memoryLogger()
  // null: no prefix, so the HASH keys (outside any prefix) are the cache's keys too.
  const cache = createCache({ driver, env: false, logger, ...(prefix === null ? {} : { prefix: prefix ?? `t${randomUUID().slice(0, 8)}` }) })
  const patients = createPatientCache({ cache, etablissement: randomUUID(), env: false, storage, ...(storage === 'json' ? { keyTemplate: 'patient:{code_patient}' } : {}), ...rest })
  const loads = new Map<string, number>()
  const load = async (code: string) => {
    loads.set(code, (loads.get(code) ?? 0) + 1)
    return seedPatient({ code_patient: code })
  }
  return { driver, cache, patients, logger, loads, load }
}

/** Whether the store still holds this patient's data at its key (a HASH, or a JSON entry). */
async function holdsData(s: Setup, code: string): Promise<boolean> {
  if (s.patients.storage === 'hash') return (await keyContent(s.driver, s.patients.keyOf(code))) === 'hash'
  // 'json': through the cache (a tombstone or nothing reads as undefined).
  return (await s.cache.get(s.patients.keyOf(code))) !== undefined
}

for (const backend of ['memory', 'redis'] as const) {
  for (const storage of ['hash', 'json'] as const) {
    describe(`erasure of a patient (${storage} storage, ${backend})`, () => {
      // With a prefix too: the HASH key lives outside it, and the index still lists it.
      it.each([null, 'identity'])("cache.forget('patient:<code>') removes that patient's entry; a read goes to the loader; other patients untouched (prefix %s)", async (prefix) => {
        const s = setup(backend, storage, { prefix })
        const a = randomCode()
        const b = randomCode()
        await s.patients.getByCode(a, s.load)
        await s.patients.getByCode(b, s.load)
        expect(await holdsData(s, a)).toBe(true)
        expect(await holdsData(s, b)).toBe(true)
        expect(s.patients.subjectOf(a)).toBe(`patient:${a}`)

        expect(await s.cache.forget(`patient:${a}`)).toBeGreaterThanOrEqual(storage === 'json' ? 1 : 0)

        expect(await holdsData(s, a)).toBe(false)
        expect(await s.patients.get(a)).toBeUndefined()
        expect((await s.patients.getByCode(a, s.load))?.code_patient).toBe(a)
        expect(s.loads.get(a)).toBe(2)
        // B is still served from the cache.
        expect(await holdsData(s, b)).toBe(true)
        expect((await s.patients.getByCode(b, s.load))?.code_patient).toBe(b)
        expect(s.loads.get(b)).toBe(1)
      })

      it('patients.forget(code) removes entries written by warm() and createWithLock(), and other entries naming the subject, in a prefixed cache', async () => {
        const s = setup(backend, storage, { prefix: 'identity' })
        const a = randomCode()
        const b = randomCode()
        const c = randomCode()
        expect(await s.patients.warm(seedPatient({ code_patient: a }))).toBe(true)
        await s.patients.createWithLock(seedPatient({ code_patient: c, nom: 'OTHER' }), async () => seedPatient({ code_patient: c, nom: 'OTHER' }))
        await s.patients.getByCode(b, s.load)
        await s.cache.set(`note:${a}`, { text: 'about a' }, { subjects: [s.patients.subjectOf(a)] })
        expect(await holdsData(s, a)).toBe(true)
        expect(await holdsData(s, c)).toBe(true)

        await s.patients.forget([a, c])

        expect(await holdsData(s, a)).toBe(false)
        expect(await holdsData(s, c)).toBe(false)
        expect(await s.cache.get(`note:${a}`)).toBeUndefined()
        expect(await s.patients.get(a)).toBeUndefined()
        expect(await s.patients.get(c)).toBeUndefined()
        expect((await s.patients.get(b))?.code_patient).toBe(b)
        await s.patients.getByCode(a, s.load)
        expect(s.loads.get(a)).toBe(1)
      })

      it('with codeParam { hmac }: the subject is the key’s HMAC, no code in any key name, and forget works', async () => {
        const s = setup(backend, storage, { prefix: null, codeParam: { hmac: 'a-test-secret-of-enough-length-0123456789' } })
        const a = randomCode()
        const b = randomCode()
        await s.patients.getByCode(a, s.load)
        await s.patients.getByCode(b, s.load)
        const subject = s.patients.subjectOf(a)
        expect(subject.startsWith('patient:')).toBe(true)
        expect(subject).not.toContain(a)
        expect(s.patients.keyOf(a).endsWith(subject.slice('patient:'.length))).toBe(true)
        const keys: string[] = []
        for await (const key of s.driver.scan('*', { count: 1000 })) keys.push(key)
        for (const key of keys) {
          expect(key).not.toContain(a)
          expect(key).not.toContain(b)
        }

        await s.cache.forget(subject)
        expect(await s.patients.get(a)).toBeUndefined()
        expect((await s.patients.get(b))?.code_patient).toBe(b)
      })
    })
  }
}

describe('patient erasure edge cases (memory)', () => {
  it('patients.forget removes a HASH written before indexing (another writer), not only indexed ones', async () => {
    const s = setup('memory', 'hash', { prefix: null })
    const a = randomCode()
    // Written by another service (the seed's Go writer): no index entry.
    await s.patients.getByCode(a, s.load)
    const indexKeys: string[] = []
    for await (const key of s.driver.scan('*cachette:subject:*', { count: 100 })) indexKeys.push(key)
    await s.driver.delete(indexKeys)
    expect(await s.cache.forget(s.patients.subjectOf(a))).toBe(0)
    expect(await keyContent(s.driver, s.patients.keyOf(a))).toBe('hash') // not in the index: cache.forget cannot know it

    await s.patients.forget(a)
    expect(await keyContent(s.driver, s.patients.keyOf(a))).not.toBe('hash')
    expect(await s.patients.get(a)).toBeUndefined()
  })

  it('does not write the HASH when its index cannot be written', async () => {
    const inner = memoryDriver()
    let failIndex = false
    const driver = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver)
        if (property === 'batch') {
          return (commands: readonly BatchCommand[]) =>
            failIndex && commands.some((command) => command.op === 'sadd') ? Promise.reject(new Error('down')) : (value as (c: readonly BatchCommand[]) => Promise<unknown>).call(target, commands)
        }
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as Driver
    const s = setup('memory', 'hash', { prefix: null, driver })
    const a = randomCode()
    failIndex = true
    expect((await s.patients.getByCode(a, s.load))?.code_patient).toBe(a) // served from the loader
    expect(await s.patients.warm(seedPatient({ code_patient: a }))).toBe(false)
    expect(await keyContent(driver, s.patients.keyOf(a))).not.toBe('hash')
    for (const line of s.logger.lines) expect(JSON.stringify(line)).not.toContain(a)
    failIndex = false
    expect(await s.patients.warm(seedPatient({ code_patient: a }))).toBe(true)
    expect(await keyContent(driver, s.patients.keyOf(a))).toBe('hash')
  })

  it('refuses a bad code without quoting it; does nothing with the cache disabled', async () => {
    const s = setup('memory', 'hash', { prefix: null })
    expect(() => s.patients.subjectOf('CI SECRET*')).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }))
    await expect(s.patients.forget('CI SECRET*')).rejects.toMatchObject({ code: 'INVALID_KEY' })
    await s.patients.forget('CI SECRET*').catch((error: Error) => expect(error.message).not.toContain('SECRET'))
    const off = createCache({ driver: memoryDriver(), env: false, enabled: false })
    expect(await createPatientCache({ cache: off, etablissement: randomUUID(), env: false }).forget(randomCode())).toBe(0)
  })
})
