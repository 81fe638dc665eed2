import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createCache, defineKey, InvalidOptionsError, isCacheError, memoryDriver, type BytesCodec, type CacheOptions } from '../src/index.js'
import { randomPrefix, recordingLogger, testCache } from './support/cache.js'

/**
 * `wire: 'plain'` (issue 12): the stored value is the codec's payload alone, so services in other
 * languages share the keys. What needs envelope metadata is refused; the fence is off unless asked.
 */

const patientKey = defineKey('patient:{id}')
const PatientSchema = z.object({ id: z.number(), nom: z.string() })
const typedPatientKey = defineKey('typed:{id}', { schema: PatientSchema })

function plainCache(options: CacheOptions = {}) {
  const driver = memoryDriver()
  const prefix = randomPrefix()
  const { cache, logger } = testCache({ driver, prefix, wire: 'plain', ...options })
  return { cache, driver, logger, at: (key: string) => `${prefix}:${key}` }
}

/** The InvalidOptionsError a call rejected with (or threw). */
async function refusal(call: () => Promise<unknown>): Promise<InvalidOptionsError> {
  try {
    await call()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError)
    return error as InvalidOptionsError
  }
  throw new Error('expected an InvalidOptionsError')
}

describe("wire: 'plain' stores the codec's payload alone", () => {
  it('round-trips values through set, get, has and getOrSet', async () => {
    const { cache } = plainCache()
    const patient = { id: 42, nom: 'KOUADIO', prénoms: ['Aya', 'Marie'], décédé: false, adresse: null }
    expect(await cache.set(patientKey({ id: 42 }), patient)).toBe(true)
    expect(await cache.get(patientKey({ id: 42 }))).toEqual(patient)
    expect(await cache.has(patientKey({ id: 42 }))).toBe(true)
    let runs = 0
    expect(await cache.getOrSet(patientKey({ id: 7 }), () => ++runs && { id: 7 })).toEqual({ id: 7 })
    expect(await cache.getOrSet(patientKey({ id: 7 }), () => ++runs && { id: 0 })).toEqual({ id: 7 })
    expect(runs).toBe(1)
    expect(await cache.getOrSet(typedPatientKey({ id: 1 }), () => ({ id: 1, nom: 'A' }))).toEqual({ id: 1, nom: 'A' })
    expect(await cache.get(typedPatientKey({ id: 1 }))).toEqual({ id: 1, nom: 'A' })
  })

  it.each([
    ['an object', { id: 42, nom: 'KOUADIO', ville: 'Abidjan é 😀', note: 'a\nb' }],
    ['an array', [{ id: 1 }, { id: 2 }]],
    ['a string', 'texte'],
    ['a number', 3.5],
    ['null', null],
  ])('stores exactly JSON.stringify(value) for %s, with a TTL', async (_, value) => {
    const { cache, driver, at } = plainCache()
    await cache.set('k', value, { ttl: '10m' })
    expect(await driver.get(at('k'))).toBe(JSON.stringify(value))
    const ttlMs = await driver.pttl(at('k'))
    expect(ttlMs).toBeGreaterThan(590_000)
    expect(ttlMs).toBeLessThanOrEqual(600_000)
  })

  it('getOrSet writes the same bytes, with the key TTL', async () => {
    const { cache, driver, at } = plainCache()
    const statsKey = defineKey('stats:dashboard', { ttl: '5m' })
    await cache.getOrSet(statsKey(), () => ({ patients: 12 }))
    await expect.poll(() => driver.get(at('stats:dashboard'))).toBe('{"patients":12}')
    expect(await driver.pttl(at('stats:dashboard'))).toBeGreaterThan(290_000)
  })

  it('reads a value another service wrote as plain JSON (SETEX key ttl json)', async () => {
    const { cache, driver, at } = plainCache()
    // What pydantic's model_dump_json() writes: compact JSON.
    await driver.set(at('typed:42'), '{"id":42,"nom":"KOUADIO"}', { ttlMs: 600_000 })
    expect(await cache.get(typedPatientKey({ id: 42 }))).toEqual({ id: 42, nom: 'KOUADIO' })
    // json.dumps() writes spaces after separators: the same value.
    await driver.set(at('typed:43'), '{"id": 43, "nom": "DIALLO"}', { ttlMs: 600_000 })
    const loader = () => Promise.reject(new Error('not called on a hit'))
    expect(await cache.getOrSet(typedPatientKey({ id: 43 }), loader)).toEqual({ id: 43, nom: 'DIALLO' })
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 0, decodeFailures: 0 })
  })

  it.each([
    ['text the codec refuses', 'not json'],
    ['a value the schema refuses', '{"id":"42"}'],
    ['a Cachette envelope (written with wire: cachette)', '@c1\n{"id":42,"nom":"KOUADIO"}'],
  ])('%s is a corrupted entry: a miss, counted, deleted', async (_, raw) => {
    const { cache, driver, logger, at } = plainCache()
    await driver.set(at('typed:1'), raw, { ttlMs: 60_000 })
    expect(await cache.get(typedPatientKey({ id: 1 }))).toBeUndefined()
    await expect.poll(() => driver.exists([at('typed:1')])).toBe(0)
    expect(cache.stats()).toMatchObject({ decodeFailures: 1, misses: 1 })
    expect(logger.lines.map((line) => line.fields.code)).toEqual(['DECODE_FAILED'])
  })

  it("wire: 'cachette' (the default) reads plain JSON as a corrupted entry, as before", async () => {
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'cw' })
    await driver.set('cw:patient:1', '{"id":1}', { ttlMs: 60_000 })
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    await expect.poll(() => driver.exists(['cw:patient:1'])).toBe(0)
    expect(cache.stats().decodeFailures).toBe(1)
  })

  it('shareValues keeps working: one frozen value per unchanged text, a new one when another service rewrites it', async () => {
    const { cache, driver, at } = plainCache({ shareValues: true })
    await cache.set(patientKey({ id: 1 }), { id: 1, nom: 'A' })
    const first = await cache.get(patientKey({ id: 1 }))
    expect(Object.isFrozen(first)).toBe(true)
    expect(await cache.get(patientKey({ id: 1 }))).toBe(first)
    await driver.set(at('patient:1'), '{"id":1,"nom":"B"}', { ttlMs: 60_000 })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ id: 1, nom: 'B' })
  })

  it('a bytes codec stores its payload bytes alone and reads foreign bytes', async () => {
    const raw: BytesCodec<Uint8Array> = { name: 'raw', format: 'bytes', encode: (value) => value, decode: (payload) => payload.slice() }
    const blobKey = defineKey('blob:{id}', { codec: raw })
    const { cache, driver, at } = plainCache()
    const payload = new Uint8Array([0x00, 0x0a, 0xff, 0x40, 0x63, 0x31])
    await cache.set(blobKey({ id: 1 }), payload)
    expect([...((await driver.getBytes(at('blob:1'))) as Uint8Array)]).toEqual([...payload])
    expect(await driver.pttl(at('blob:1'))).toBeGreaterThan(0)
    expect([...((await cache.get(blobKey({ id: 1 }))) as Uint8Array)]).toEqual([...payload])
    await driver.set(at('blob:2'), new Uint8Array([1, 2, 3]), { ttlMs: 60_000 })
    expect([...((await cache.get(blobKey({ id: 2 }))) as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('validates the option', () => {
    expect(() => createCache({ env: false, wire: 'json' as never })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, wire: 'json' as never })).toThrow(/wire/)
  })
})

describe("wire: 'plain' refuses what needs envelope metadata", () => {
  it.each([
    ['grace', { grace: '1h' }],
    ['staleWhileRevalidate', { staleWhileRevalidate: true }],
    ['earlyRefresh', { earlyRefresh: true }],
    ['earlyRefresh', { earlyRefresh: { beta: 2 } }],
  ] as const)('createCache refuses %s', (name, options) => {
    const create = () => createCache({ env: false, logger: recordingLogger(), wire: 'plain', ...options })
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(`createCache options are invalid: ${name}: needs wire: 'cachette'`)
  })

  it('names every refused option at once, and accepts the options that write nothing into the entry', () => {
    expect(() => createCache({ env: false, wire: 'plain', grace: '1h', staleWhileRevalidate: true, earlyRefresh: true })).toThrow(
      /grace: needs wire: 'cachette'.*; staleWhileRevalidate: needs wire: 'cachette'.*; earlyRefresh: needs wire: 'cachette'/,
    )
    expect(() =>
      createCache({ env: false, wire: 'plain', grace: false, earlyRefresh: false, staleWhileRevalidate: false, graceBackoff: '1s', loaderTimeout: { hard: '1s' }, lock: true }),
    ).not.toThrow()
    // The same options are fine with the envelope.
    expect(() => createCache({ env: false, grace: '1h', staleWhileRevalidate: true, earlyRefresh: true })).not.toThrow()
  })

  it.each([
    ['tags', defineKey('tagged:{id}', { tags: ({ id }) => [`t:${id}`] })],
    ['grace', defineKey('graced:{id}', { grace: '1h' })],
    ['staleWhileRevalidate', defineKey('swr:{id}', { staleWhileRevalidate: true })],
    ['earlyRefresh', defineKey('early:{id}', { earlyRefresh: { beta: 1 } })],
  ] as const)("a key definition's %s is refused by get, has, set and getOrSet, hit or miss", async (name, definition) => {
    const { cache, driver, at } = plainCache()
    const key = definition({ id: 1 })
    await driver.set(at(key.key), '{"id":1}', { ttlMs: 60_000 }) // a hit would be served: it must still be refused
    const message = `defineKey('${key.key.replace('1', '{id}')}') options are invalid with wire: 'plain': ${name}: needs wire: 'cachette'`
    for (const call of [() => cache.get(key), () => cache.has(key), () => cache.set(key, { id: 1 }), () => cache.getOrSet(key, () => ({ id: 1 }))]) {
      expect((await refusal(call)).message).toContain(message)
    }
    expect(await driver.get(at(key.key))).toBe('{"id":1}')
  })

  it('a key definition asking for several is refused with each named', async () => {
    const { cache } = plainCache()
    const key = defineKey('both:{id}', { grace: '1h', tags: () => ['x'] })({ id: 1 })
    expect((await refusal(() => cache.get(key))).message).toMatch(/grace: needs wire: 'cachette'.*; tags: needs wire: 'cachette'/)
  })

  it.each([
    ['tags', { tags: ['tenant:7'] }],
    ['grace', { grace: '1h' }],
    ['staleWhileRevalidate', { staleWhileRevalidate: true }],
    ['earlyRefresh', { earlyRefresh: true }],
  ] as const)("a call's %s is refused by set and getOrSet, hit or miss", async (name, options) => {
    const { cache, driver, at } = plainCache()
    const message = `call options are invalid with wire: 'plain': ${name}: needs wire: 'cachette'`
    expect((await refusal(() => cache.set(patientKey({ id: 1 }), { id: 1 }, options))).message).toContain(message)
    expect((await refusal(() => cache.getOrSet(patientKey({ id: 1 }), () => ({ id: 1 }), options))).message).toContain(message)
    expect(await driver.exists([at('patient:1')])).toBe(0)
    await cache.set(patientKey({ id: 1 }), { id: 1 })
    expect((await refusal(() => cache.getOrSet(patientKey({ id: 1 }), () => ({ id: 2 }), options))).message).toContain(message)
  })

  it('accepts calls whose options write nothing into the entry', async () => {
    const { cache } = plainCache()
    const options = { ttl: '1m', tags: [], grace: false, earlyRefresh: false, staleWhileRevalidate: false, loaderTimeout: { hard: '1s' }, lock: true } as const
    expect(await cache.set(patientKey({ id: 1 }), { id: 1 }, options)).toBe(true)
    expect(await cache.getOrSet(patientKey({ id: 2 }), () => ({ id: 2 }), options)).toEqual({ id: 2 })
  })

  it('invalidateTags rejects: no plain entry carries tags', async () => {
    const { cache } = plainCache()
    const error = await refusal(() => cache.invalidateTags(['tenant:7']))
    expect(isCacheError(error) && error.code).toBe('INVALID_OPTIONS')
    expect(error.message).toContain("invalidateTags: needs wire: 'cachette'")
  })
})

describe("wire: 'plain' and the fence", () => {
  it('is off by default: invalidate deletes, a load places no tombstone', async () => {
    const { cache, driver, at } = plainCache()
    await cache.set(patientKey({ id: 1 }), { id: 1 })
    expect(await cache.invalidate(patientKey({ id: 1 }))).toBe(1)
    expect(await driver.exists([at('patient:1')])).toBe(0)
    let seenDuringLoad: string | null = 'unread'
    await cache.getOrSet(patientKey({ id: 2 }), async () => {
      seenDuringLoad = await driver.get(at('patient:2'))
      return { id: 2 }
    })
    expect(seenDuringLoad).toBeNull()
    await cache.set(patientKey({ id: 3 }), { id: 3 })
    expect(await cache.deletePattern('patient:*')).toBe(2)
    expect(await driver.exists([at('patient:1'), at('patient:2'), at('patient:3')])).toBe(0)
  })

  it('is on when asked: tombstones at the key, read as a miss, never as a corrupted entry', async () => {
    const { cache, driver, at } = plainCache({ fence: { ttl: '1m' } })
    await cache.set(patientKey({ id: 1 }), { id: 1 })
    await cache.invalidate(patientKey({ id: 1 }))
    expect(await driver.get(at('patient:1'))).toMatch(/^@cf [A-Za-z0-9_-]{22}$/)
    expect(await driver.pttl(at('patient:1'))).toBeGreaterThan(0)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => ({ id: 1, v: 2 }))).toEqual({ id: 1, v: 2 })
    await expect.poll(() => driver.get(at('patient:1'))).toBe('{"id":1,"v":2}')
    expect(cache.stats().decodeFailures).toBe(0)
  })

  it('with the fence on, a load claims an empty key with a tombstone while its loader runs', async () => {
    const { cache, driver, at } = plainCache({ fence: { ttl: '1m' } })
    let seenDuringLoad: string | null = null
    await cache.getOrSet(patientKey({ id: 2 }), async () => {
      await expect.poll(() => driver.get(at('patient:2'))).not.toBeNull()
      seenDuringLoad = await driver.get(at('patient:2'))
      return { id: 2 }
    })
    expect(seenDuringLoad).toMatch(/^@cf /)
    await expect.poll(() => driver.get(at('patient:2'))).toBe('{"id":2}')
  })

  it("fence: false with wire: 'cachette' and the default fence are unchanged", async () => {
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'fd' })
    await cache.set('k', 1)
    await cache.invalidate('k')
    expect(await driver.get('fd:k')).toMatch(/^@cf /)
  })
})
