import { randomUUID } from 'node:crypto'
import { createCache, memoryDriver, type Cache, type CacheOptions, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPatientCache, type PatientCache, type PatientCacheOptions, type PatientInput } from '../src/index.js'
import { keyContent, memoryLogger, randomCode, seedPatient } from './support/fixtures.js'

let server: RedisServerHandle
const opened: Driver[] = []

beforeAll(async () => {
  server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(opened.map((driver) => driver.close()))
  await server?.stop()
})

/** One instance of the service: its own cache and patient cache (own in-process flights), over a shared store. */
interface Instance {
  readonly patients: PatientCache
  readonly cache: Cache
  readonly driver: Driver
}

/** How one instance is set up: its patient cache's options, its cache's (fence, deadline, prefix), a wrapper of its driver. */
interface InstanceOptions {
  readonly patient?: Partial<PatientCacheOptions>
  readonly cache?: Partial<CacheOptions>
  readonly wrap?: (driver: Driver) => Driver
}

/**
 * A store shared by several instances, as the processes of one deployment share a redis-server:
 * one memory driver for all of them, or one ioredis connection per instance to one server.
 */
function sharedStore(kind: 'memory' | 'redis') {
  const shared = kind === 'memory' ? memoryDriver() : undefined
  if (shared !== undefined) opened.push(shared)
  const etablissement = randomUUID()
  const logger = memoryLogger()
  return {
    logger,
    instance({ patient = {}, cache: cacheOptions = {}, wrap = (driver) => driver }: InstanceOptions = {}): Instance {
      let driver = shared
      if (driver === undefined) {
        driver = ioredisDriver({ url: server.url })
        opened.push(driver)
      }
      driver = wrap(driver)
      const cache = createCache({ driver, env: false, logger, ...cacheOptions })
      const patients = createPatientCache({ cache, etablissement, env: false, ...patient })
      return { patients, cache, driver }
    },
  }
}

/** A loader that signals when it has started and answers `record` once released. */
function gatedLoader(record: (code: string) => PatientInput) {
  let markStarted!: () => void
  let release!: () => void
  const started = new Promise<void>((resolve) => (markStarted = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  const load = async (code: string) => {
    markStarted()
    await released
    return record(code)
  }
  return { load, started, release }
}

const ancien = (code: string) => seedPatient({ code_patient: code, nom: 'ANCIEN' })
const nouveau = (code: string) => seedPatient({ code_patient: code, nom: 'NOUVEAU' })

describe.each(['memory', 'redis'] as const)("the fence of 'hash' storage, two instances on one %s store", (kind) => {
  it('a load that started before an invalidation in another instance does not write what it read', async () => {
    const store = sharedStore(kind)
    const a = store.instance()
    const b = store.instance()
    const code = randomCode()
    // B reads the database before A's commit...
    const slow = gatedLoader(ancien)
    const read = b.patients.getByCode(code, slow.load)
    await slow.started
    // ...A commits and invalidates (B's in-process guard knows nothing of it)...
    await a.patients.invalidate(code)
    slow.release()
    // ...B's callers get what B read, but it is not cached.
    expect((await read)?.nom).toBe('ANCIEN')
    expect(b.patients.stats()).toMatchObject({ loads: 1, warms: 0, fencedWrites: 1 })
    expect(await keyContent(a.driver, a.patients.keyOf(code))).toBe('tombstone')
    const load = vi.fn(async (c: string) => nouveau(c))
    expect((await a.patients.getByCode(code, load))?.nom).toBe('NOUVEAU')
    expect((await b.patients.get(code))?.nom).toBe('NOUVEAU')
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('a load that saw a tombstone does not write after a second invalidation', async () => {
    const store = sharedStore(kind)
    const a = store.instance()
    const b = store.instance()
    const code = randomCode()
    await a.patients.warm(ancien(code))
    await a.patients.invalidate(code)
    const slow = gatedLoader(ancien)
    const read = b.patients.getByCode(code, slow.load)
    await slow.started
    await a.patients.invalidate(code)
    slow.release()
    expect((await read)?.nom).toBe('ANCIEN')
    expect(b.patients.stats()).toMatchObject({ warms: 0, fencedWrites: 1 })
    expect(await b.patients.get(code)).toBeUndefined()
  })

  it("a load that saw an empty key does not write over the HASH another instance's later load wrote", async () => {
    // Why a load claims an empty key: without its own token, this load's HSET would land on the
    // fresh HASH of the load that consumed the invalidation's tombstone.
    const store = sharedStore(kind)
    const a = store.instance()
    const b = store.instance()
    const code = randomCode()
    const slow = gatedLoader(ancien)
    const read = b.patients.getByCode(code, slow.load)
    await slow.started
    await a.patients.invalidate(code)
    expect((await a.patients.getByCode(code, async (c) => nouveau(c)))?.nom).toBe('NOUVEAU')
    slow.release()
    expect((await read)?.nom).toBe('ANCIEN')
    expect(b.patients.stats().fencedWrites).toBe(1)
    expect((await a.patients.get(code))?.nom).toBe('NOUVEAU')
    expect((await b.patients.get(code))?.nom).toBe('NOUVEAU')
  })

  it('an invalidation between the compareAndDelete and the MULTI blocks the HSET; the tombstone keeps the fence TTL', async () => {
    const store = sharedStore(kind)
    const a = store.instance()
    const code = randomCode()
    // B's driver lets A invalidate right after B's compareAndDelete has removed B's claim.
    const b = store.instance({
      wrap: (driver) =>
        new Proxy(driver, {
          get(target, property, receiver) {
            if (property !== 'compareAndDelete') return Reflect.get(target, property, receiver)
            return async (key: string, expected: string) => {
              const removed = await target.compareAndDelete(key, expected)
              await a.patients.invalidate(code)
              return removed
            }
          },
        }),
    })
    expect((await b.patients.getByCode(code, async (c) => ancien(c)))?.nom).toBe('ANCIEN')
    expect(b.patients.stats()).toMatchObject({ warms: 0, fencedWrites: 1, errors: 0 })
    const key = a.patients.keyOf(code)
    expect(await keyContent(a.driver, key)).toBe('tombstone')
    // Redis ran the MULTI's PEXPIRE on the tombstone anyway (entry TTL, 1 h): put back to the fence TTL.
    expect(await a.driver.pttl(key)).toBeLessThanOrEqual(60_000)
  })

  it('a tombstone reads as a miss (not corrupted, not deleted, not logged), and the next load writes', async () => {
    const store = sharedStore(kind)
    const a = store.instance()
    const b = store.instance()
    const code = randomCode()
    const key = a.patients.keyOf(code)
    await a.patients.warm(ancien(code))
    await a.patients.invalidate(code)
    expect(await keyContent(a.driver, key)).toBe('tombstone')
    expect(await b.patients.get(code)).toBeUndefined()
    expect(b.patients.stats()).toMatchObject({ misses: 1, decodeFailures: 0, errors: 0 })
    expect(await keyContent(a.driver, key)).toBe('tombstone')
    expect(store.logger.lines).toEqual([])

    expect((await b.patients.getByCode(code, async (c) => nouveau(c)))?.nom).toBe('NOUVEAU')
    expect(b.patients.stats()).toMatchObject({ loads: 1, warms: 1, fencedWrites: 0, decodeFailures: 0 })
    expect(await keyContent(a.driver, key)).toBe('hash')
    expect((await a.patients.get(code))?.nom).toBe('NOUVEAU')
    expect(store.logger.lines).toEqual([])
  })

  it('a load that took longer than the fence TTL allows is returned, not written', async () => {
    const store = sharedStore(kind)
    // The cache's 1 s fence and 50 ms deadline: a load may write if it ended within 1 s - 2 × 50 ms of its read.
    const b = store.instance({ cache: { fence: { ttl: '1s' }, deadlineMs: 50 } })
    const realNow = performance.now.bind(performance)
    let offsetMs = 0
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => realNow() + offsetMs)
    try {
      const slowCode = randomCode()
      const patient = await b.patients.getByCode(slowCode, async (c) => {
        offsetMs += 1_000
        return nouveau(c)
      })
      expect(patient?.nom).toBe('NOUVEAU')
      expect(b.patients.stats()).toMatchObject({ warms: 0, fencedWrites: 1 })
      expect(await keyContent(b.driver, b.patients.keyOf(slowCode))).not.toBe('hash')

      // Well within the limit: written.
      const code = randomCode()
      await b.patients.getByCode(code, async (c) => {
        offsetMs += 700
        return nouveau(c)
      })
      expect(b.patients.stats()).toMatchObject({ warms: 1, fencedWrites: 1 })
      expect(await keyContent(b.driver, b.patients.keyOf(code))).toBe('hash')
    } finally {
      clock.mockRestore()
    }
  })

  it("with the cache's fence: false, invalidations DEL and the race is open again (what the fence closes)", async () => {
    const store = sharedStore(kind)
    const a = store.instance({ cache: { fence: false } })
    const b = store.instance({ cache: { fence: false } })
    const code = randomCode()
    const slow = gatedLoader(ancien)
    const read = b.patients.getByCode(code, slow.load)
    await slow.started
    await a.patients.invalidate(code)
    expect(await keyContent(a.driver, a.patients.keyOf(code))).toBe('absent')
    slow.release()
    await read
    expect((await a.patients.get(code))?.nom).toBe('ANCIEN')
  })

  it("'json' storage: a load that started before an invalidation in another instance does not write (the cache's fence)", async () => {
    const store = sharedStore(kind)
    const jsonOptions = { patient: { storage: 'json', keyTemplate: 'patient:{id}' }, cache: { prefix: 'identity' } } as const
    const a = store.instance(jsonOptions)
    const b = store.instance(jsonOptions)
    const code = randomCode()
    const slow = gatedLoader(ancien)
    const read = b.patients.getByCode(code, slow.load)
    await slow.started
    await a.patients.invalidate(code)
    slow.release()
    expect((await read)?.nom).toBe('ANCIEN')
    // The cache writes after getOrSet has answered: wait for it to have decided.
    await vi.waitFor(() => expect(b.cache.stats().fencedWrites).toBe(1))
    expect(await keyContent(a.driver, `identity:patient:${code}`)).toBe('tombstone')
    expect((await a.patients.getByCode(code, async (c) => nouveau(c)))?.nom).toBe('NOUVEAU')
    await vi.waitFor(async () => expect((await b.patients.get(code))?.nom).toBe('NOUVEAU'))
  })
})
