import { createFakeClock } from '@cachette/testing'
import { describe, expect, it, vi } from 'vitest'
import { createCache, defineKey, InvalidKeyError, isCacheError, memoryDriver, sha256, encodeBase64Url, type Driver } from '../src/index.js'
import { randomPrefix, recordingLogger, testCache } from './support/cache.js'

const patientKey = defineKey('patient:{id}', { subjects: ({ id }) => [`patient:${id}`] })
const noteKey = defineKey('note:{id}')
const taggedKey = defineKey('list:{ej}', { tags: ({ ej }) => [`ej:${ej}`] })

async function storeKeys(driver: Driver, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of driver.scan(`${prefix}*`, { count: 100 })) keys.push(key)
  return keys.sort()
}

/** Lets the bus deliver (the memory driver delivers in microtasks; the publish itself is a store call). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('cache.forget (erasure by data subject)', () => {
  it('removes exactly the entries of that subject, named by the call or by the key definition', async () => {
    const { cache } = testCache()
    await cache.set(patientKey({ id: 42 }), { name: 'A' })
    await cache.set(noteKey({ id: 1 }), { text: 'about 42' }, { subjects: ['patient:42'] })
    await cache.set(noteKey({ id: 2 }), { text: 'about 42 and 7' }, { subjects: ['patient:42', 'patient:7'] })
    await cache.set(patientKey({ id: 7 }), { name: 'B' })
    await cache.set(noteKey({ id: 3 }), { text: 'about nobody' })

    expect(await cache.forget('patient:42')).toBe(3)

    expect(await cache.get(patientKey({ id: 42 }))).toBeUndefined()
    expect(await cache.get(noteKey({ id: 1 }))).toBeUndefined()
    expect(await cache.get(noteKey({ id: 2 }))).toBeUndefined()
    expect(await cache.get(patientKey({ id: 7 }))).toEqual({ name: 'B' })
    expect(await cache.get(noteKey({ id: 3 }))).toEqual({ text: 'about nobody' })
    // Forgotten once: nothing left to remove.
    expect(await cache.forget('patient:42')).toBe(0)
    expect(await cache.forget(['patient:7', 'patient:404'])).toBe(1)
    expect(await cache.get(patientKey({ id: 7 }))).toBeUndefined()
    expect(await cache.get(noteKey({ id: 3 }))).toEqual({ text: 'about nobody' })
  })

  it('removes entries written by getOrSet, setMany and getOrSetMany, tagged ones and ones kept for grace', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const cache = createCache({ env: false, logger: recordingLogger(), driver, prefix: randomPrefix(), clock, ttl: '1m', grace: '1h' })
    expect(await cache.getOrSet(patientKey({ id: 42 }), () => ({ v: 1 }))).toEqual({ v: 1 })
    await cache.setMany([
      { key: noteKey({ id: 1 }), value: { v: 2 }, options: { subjects: ['patient:42'] } },
      { key: noteKey({ id: 2 }), value: { v: 3 }, options: { subjects: ['patient:8'] } },
    ])
    await cache.getOrSetMany([noteKey({ id: 3 }), noteKey({ id: 4 })], (missing) => missing.map(() => ({ v: 4 })), { subjects: ['patient:42'] })
    await cache.set(taggedKey({ ej: 1 }), { v: 5 }, { subjects: ['patient:42'] })
    await cache.set(taggedKey({ ej: 2 }), { v: 6 }, { subjects: ['patient:8'] })
    // Past its TTL: stale, kept for grace, so a failing loader would still be served it.
    clock.advance(120_000)
    await expect(cache.getOrSet(patientKey({ id: 42 }), () => Promise.reject(new Error('db down')))).resolves.toEqual({ v: 1 })

    expect(await cache.forget('patient:42')).toBe(5)

    await expect(cache.getOrSet(patientKey({ id: 42 }), () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
    for (const key of [noteKey({ id: 1 }), noteKey({ id: 3 }), noteKey({ id: 4 }), taggedKey({ ej: 1 })]) expect(await cache.has(key)).toBe(false)
    expect(await cache.get(noteKey({ id: 2 }))).toBeUndefined() // stale after 2 minutes, like any entry: not forgotten
    await expect(cache.getOrSet(noteKey({ id: 2 }), () => Promise.reject(new Error('db down')))).resolves.toEqual({ v: 3 })
    await expect(cache.getOrSet(taggedKey({ ej: 2 }), () => Promise.reject(new Error('db down')))).resolves.toEqual({ v: 6 })
  })

  it('never writes the subject into a store key name, and leaves no index behind once forgotten', async () => {
    const { cache, driver } = testCache({ fence: false })
    await cache.set(noteKey({ id: 1 }), { v: 1 }, { tags: ['ej:1'], subjects: ['patient:9001'] })
    await cache.set(noteKey({ id: 2 }), { v: 2 }, { subjects: ['patient:9001'] })
    await cache.set(noteKey({ id: 3 }), { v: 3 })
    const keys = await storeKeys(driver, '')
    for (const key of keys) expect(key).not.toContain('9001')
    const index = keys.filter((key) => key.includes('cachette:subject:'))
    expect(index).toHaveLength(1)
    expect(index[0]?.endsWith(`cachette:subject:${encodeBase64Url(sha256('patient:9001'))}`)).toBe(true)
    expect((await driver.smembers(index[0] as string)).sort()).toEqual(keys.filter((key) => key.endsWith('note:1') || key.endsWith('note:2')))

    expect(await cache.forget('patient:9001')).toBe(2)
    const after = await storeKeys(driver, '')
    expect(after.filter((key) => key.includes('cachette:subject:'))).toEqual([])
    expect(after.filter((key) => key.endsWith('note:1') || key.endsWith('note:2'))).toEqual([])
    expect(after.filter((key) => key.endsWith('note:3'))).toHaveLength(1)
  })

  it('gives the index a TTL at least as long as the entries it lists', async () => {
    const { cache, driver } = testCache({ maxTtl: '2h' })
    await cache.set(noteKey({ id: 1 }), { v: 1 }, { ttl: '2h', subjects: ['patient:42'] })
    const index = (await storeKeys(driver, '')).find((key) => key.includes('cachette:subject:')) as string
    const entry = (await storeKeys(driver, '')).find((key) => key.endsWith('note:1')) as string
    expect(await driver.pttl(index)).toBeGreaterThan(await driver.pttl(entry))
  })

  it('drops the entries from the memory tiers of every process (two caches on one store)', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const prefix = randomPrefix()
    const make = () => createCache({ env: false, logger: recordingLogger(), driver, prefix, clock, ttl: '10m', l1: true })
    const a = make()
    const b = make()
    await vi.waitFor(() => expect(a.stats().l1?.serving).toBe(true))
    await vi.waitFor(() => expect(b.stats().l1?.serving).toBe(true))
    await a.set(patientKey({ id: 42 }), { v: 42 })
    await a.set(noteKey({ id: 1 }), { v: 1 }, { subjects: ['patient:42'] })
    await a.set(patientKey({ id: 7 }), { v: 7 })
    await settle()
    // b reads them once: now its memory tier holds them.
    expect(await b.get(patientKey({ id: 42 }))).toEqual({ v: 42 })
    expect(await b.get(noteKey({ id: 1 }))).toEqual({ v: 1 })
    expect(await b.get(patientKey({ id: 7 }))).toEqual({ v: 7 })
    expect(b.stats().l1?.entries).toBe(3)

    expect(await a.forget('patient:42')).toBe(2)
    await vi.waitFor(() => expect(b.stats().l1?.entries).toBe(1))
    expect(await b.get(patientKey({ id: 42 }))).toBeUndefined()
    expect(await b.get(noteKey({ id: 1 }))).toBeUndefined()
    expect(await a.get(patientKey({ id: 42 }))).toBeUndefined()
    expect(await b.get(patientKey({ id: 7 }))).toEqual({ v: 7 })
    expect(b.stats().l1?.hits).toBeGreaterThan(0)
    await Promise.all([a.close(), b.close()])
  })

  it('waits for a write of the subject in flight in this process, and removes it too', async () => {
    const { cache } = testCache()
    const writing = cache.set(noteKey({ id: 1 }), { v: 1 }, { subjects: ['patient:42'] })
    const forgotten = cache.forget('patient:42')
    expect(await writing).toBe(true)
    expect(await forgotten).toBe(1)
    expect(await cache.get(noteKey({ id: 1 }))).toBeUndefined()
  })

  it('keeps a load that began before forget from storing what it loaded', async () => {
    const { cache } = testCache()
    let release: (value: { v: number }) => void = () => undefined
    const loading = cache.getOrSet(patientKey({ id: 42 }), () => new Promise<{ v: number }>((resolve) => (release = resolve)))
    await vi.waitFor(() => expect(cache.stats().loaderCalls).toBe(1))
    expect(await cache.forget('patient:42')).toBe(0)
    release({ v: 1 })
    expect(await loading).toEqual({ v: 1 }) // its caller still gets it
    expect(await cache.get(patientKey({ id: 42 }))).toBeUndefined() // but it was not stored
    // A write planned after the forget is stored as usual.
    expect(await cache.set(patientKey({ id: 42 }), { v: 2 })).toBe(true)
    expect(await cache.get(patientKey({ id: 42 }))).toEqual({ v: 2 })
  })

  it('works with wire: plain (the index is kept apart from the value)', async () => {
    const { cache, driver } = testCache({ wire: 'plain' })
    await cache.set(noteKey({ id: 1 }), { v: 1 }, { subjects: ['patient:42'] })
    await cache.set(noteKey({ id: 2 }), { v: 2 }, { subjects: ['patient:7'] })
    const entry = (await storeKeys(driver, '')).find((key) => key.endsWith('note:1')) as string
    expect(await driver.get(entry)).toBe('{"v":1}')
    expect(await cache.forget('patient:42')).toBe(1)
    expect(await cache.get(noteKey({ id: 1 }))).toBeUndefined()
    expect(await cache.get(noteKey({ id: 2 }))).toEqual({ v: 2 })
  })

  it('refuses bad subjects without quoting them', async () => {
    const { cache } = testCache()
    const refusals = [
      cache.set(noteKey({ id: 1 }), 1, { subjects: ['patient 42 secret'] }),
      cache.set(noteKey({ id: 1 }), 1, { subjects: [''] }),
      cache.set(noteKey({ id: 1 }), 1, { subjects: 'patient:42' as unknown as string[] }),
      cache.set(noteKey({ id: 1 }), 1, { subjects: Array.from({ length: 17 }, (_, i) => `patient:secret${i}`) }),
      cache.forget('patient*secret'),
      cache.forget(42 as unknown as string),
    ]
    for (const refusal of refusals) {
      const error = await refusal.then(
        () => undefined,
        (reason: unknown) => reason,
      )
      expect(isCacheError(error)).toBe(true)
      expect((error as Error).message).not.toContain('secret')
    }
    await expect(cache.forget('patient*secret')).rejects.toBeInstanceOf(InvalidKeyError)
    expect(() => defineKey('x:{id}', { subjects: ['patient:1'] as never })).toThrow(/subjects must be a function/)
    // 16 is allowed.
    expect(await cache.set(noteKey({ id: 1 }), 1, { subjects: Array.from({ length: 16 }, (_, i) => `patient:${i}`) })).toBe(true)
    expect(await cache.forget('patient:15')).toBe(1)
  })

  it('needs a driver with sets: refused at first use, with code MISSING_CAPABILITY', async () => {
    const base = memoryDriver()
    const driver = new Proxy(base, {
      get: (target, name, receiver) => (name === 'capabilities' ? { ...target.capabilities, sets: false } : Reflect.get(target, name, receiver)),
    }) as Driver
    const { cache } = testCache({ driver })
    await expect(cache.set(noteKey({ id: 1 }), 1, { subjects: ['patient:42'] })).rejects.toMatchObject({ code: 'MISSING_CAPABILITY' })
    await expect(cache.forget('patient:42')).rejects.toMatchObject({ code: 'MISSING_CAPABILITY' })
    expect(await cache.set(noteKey({ id: 1 }), 1)).toBe(true) // writes without subjects are unaffected
  })

  it('rejects on a store failure, and after close', async () => {
    const base = memoryDriver()
    let failing = false
    const driver = new Proxy(base, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver)
        if (name === 'smembers') return (...args: unknown[]) => (failing ? Promise.reject(new Error('down')) : (value as (...a: unknown[]) => unknown).apply(target, args))
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as Driver
    const { cache } = testCache({ driver })
    await cache.set(noteKey({ id: 1 }), 1, { subjects: ['patient:42'] })
    failing = true
    await expect(cache.forget('patient:42')).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(await cache.get(noteKey({ id: 1 }))).toBe(1)
    failing = false
    expect(await cache.forget('patient:42')).toBe(1)
    await cache.close()
    await expect(cache.forget('patient:42')).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('resolves 0 on a disabled cache', async () => {
    const { cache } = testCache({ enabled: false })
    expect(await cache.forget('patient:42')).toBe(0)
  })
})
