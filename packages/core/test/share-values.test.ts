import { describe, expect, it } from 'vitest'
import { defineKey, InvalidOptionsError, jsonCodec, type Codec, type StandardSchemaV1 } from '../src/index.js'
import { deepFreeze } from '../src/encoding/shared-values.js'
import { testCache } from './support/cache.js'

const patientKey = defineKey('patient:{id}')
const record = () => ({ nom: 'DUPONT', prenoms: ['Jeanne', 'Marie'], adresse: { ville: 'Lyon', lignes: [{ n: 12 }] } })

/** Counts decodes, so a test can tell a shared hit from a decoded one. */
function countingCodec(): { codec: Codec<unknown>; decodes: () => number } {
  let decodes = 0
  return {
    decodes: () => decodes,
    codec: {
      name: 'counting-json',
      format: 'string',
      encode: (value) => jsonCodec.encode(value),
      decode: (payload) => {
        decodes++
        return jsonCodec.decode(payload)
      },
    },
  }
}

describe('shareValues', () => {
  it('is off by default: every hit decodes its own copy', async () => {
    const { cache } = testCache()
    await cache.set(patientKey({ id: 1 }), record())
    const first = await cache.get(patientKey({ id: 1 }))
    const second = await cache.get(patientKey({ id: 1 }))
    expect(second).toEqual(first)
    expect(second).not.toBe(first)
    expect(Object.isFrozen(first)).toBe(false)
  })

  it('hands every hit the same deep-frozen value, decoded once', async () => {
    const counting = countingCodec()
    const { cache } = testCache({ shareValues: true, codec: counting.codec })
    await cache.set(patientKey({ id: 1 }), record())
    const hits = await Promise.all([1, 2, 3].map(() => cache.getOrSet(patientKey({ id: 1 }), () => ({ loaded: true }))))
    const later = await cache.get(patientKey({ id: 1 }))
    expect(hits[0]).toEqual(record())
    expect(later).toBe(hits[0])
    expect(counting.decodes()).toBe(1)
    const value = later as ReturnType<typeof record>
    expect([value, value.prenoms, value.adresse, value.adresse.lignes, value.adresse.lignes[0]].every((part) => Object.isFrozen(part))).toBe(true)
    expect(() => {
      value.adresse.ville = 'Paris'
    }).toThrow(TypeError)
    expect(((await cache.get(patientKey({ id: 1 }))) as ReturnType<typeof record>).adresse.ville).toBe('Lyon')
  })

  it('decodes again as soon as the stored text changes, from this process or another', async () => {
    const counting = countingCodec()
    const { cache, driver } = testCache({ shareValues: true, codec: counting.codec, prefix: 'shared' })
    await cache.set(patientKey({ id: 1 }), { v: 1 })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 1 })
    await cache.set(patientKey({ id: 1 }), { v: 2 })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 2 })
    // Another writer: a second cache on the same store.
    const other = testCache({ driver, prefix: 'shared' })
    await other.cache.set(patientKey({ id: 1 }), { v: 3 })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ v: 3 })
    expect(counting.decodes()).toBe(3)
  })

  it('never serves a shared value after an invalidation, a deletePattern or a tag invalidation', async () => {
    const taggedKey = defineKey('list:{id}', { tags: () => ['lists'] })
    const { cache } = testCache({ shareValues: true })
    await cache.set(patientKey({ id: 1 }), { v: 1 })
    await cache.get(patientKey({ id: 1 }))
    await cache.invalidate(patientKey({ id: 1 }))
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()

    await cache.set(patientKey({ id: 2 }), { v: 2 })
    await cache.get(patientKey({ id: 2 }))
    await cache.deletePattern(patientKey.pattern({}))
    expect(await cache.get(patientKey({ id: 2 }))).toBeUndefined()

    await cache.set(taggedKey({ id: 3 }), { v: 3 })
    expect(await cache.get(taggedKey({ id: 3 }))).toEqual({ v: 3 })
    await cache.invalidateTags(['lists'])
    expect(await cache.get(taggedKey({ id: 3 }))).toBeUndefined()
  })

  it('keeps at most maxEntries values, the oldest dropped first', async () => {
    const counting = countingCodec()
    const { cache } = testCache({ shareValues: { maxEntries: 2 }, codec: counting.codec })
    for (const id of [1, 2, 3]) await cache.set(patientKey({ id }), { id })
    const first = await cache.get(patientKey({ id: 1 }))
    await cache.get(patientKey({ id: 2 }))
    await cache.get(patientKey({ id: 3 })) // drops id 1
    expect(counting.decodes()).toBe(3)
    expect(await cache.get(patientKey({ id: 3 }))).toEqual({ id: 3 })
    expect(counting.decodes()).toBe(3)
    const again = await cache.get(patientKey({ id: 1 }))
    expect(counting.decodes()).toBe(4)
    expect(again).toEqual(first)
    expect(again).not.toBe(first)
  })

  it('keeps values apart when one full key is read with another schema', async () => {
    const upper: StandardSchemaV1<unknown, { name: string }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => ({ value: { name: String((value as { name: string }).name).toUpperCase() } }),
      },
    }
    const plain = defineKey('person:{id}')
    const shouting = defineKey('person:{id}', { schema: upper })
    const { cache } = testCache({ shareValues: true })
    await cache.set(plain({ id: 1 }), { name: 'awa' })
    expect(await cache.get(plain({ id: 1 }))).toEqual({ name: 'awa' })
    expect(await cache.get(shouting({ id: 1 }))).toEqual({ name: 'AWA' })
    expect(await cache.get(plain({ id: 1 }))).toEqual({ name: 'awa' })
  })

  it('returns the loader result itself on a miss, not frozen', async () => {
    const { cache } = testCache({ shareValues: true })
    const loaded = record()
    const value = await cache.getOrSet(patientKey({ id: 9 }), () => loaded)
    expect(value).toBe(loaded)
    expect(Object.isFrozen(loaded)).toBe(false)
    expect(Object.isFrozen(await cache.get(patientKey({ id: 9 })))).toBe(true)
  })

  it('serves an entry nested 20,000 levels deep, as a cache without sharing does', async () => {
    const depth = 20_000
    const { cache, driver, logger } = testCache({ shareValues: true, prefix: 'deep' })
    await driver.set('deep:patient:1', `@c1\n${'['.repeat(depth)}${']'.repeat(depth)}`, { ttlMs: 60_000 })
    const value = await cache.get(patientKey({ id: 1 }))
    // Walked with a loop: toEqual() would itself overflow the stack on this value.
    const walk = (root: unknown) => {
      let level = 0
      let frozen = true
      for (let current = root; Array.isArray(current); current = current[0]) {
        frozen &&= Object.isFrozen(current)
        level++
      }
      return { level, frozen }
    }
    expect(walk(value)).toEqual({ level: depth, frozen: true })
    expect(await cache.get(patientKey({ id: 1 }))).toBe(value)
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 0, decodeFailures: 0 })
    expect(logger.lines).toEqual([])
    const unshared = testCache({ driver, prefix: 'deep' }).cache
    expect(walk(await unshared.get(patientKey({ id: 1 })))).toEqual({ level: depth, frozen: false })
  })

  it('treats a decoded value it cannot freeze like an undecodable entry: a miss, counted, logged, deleted', async () => {
    const thrown = new Error('cannot freeze patient TRAORE')
    const exotic: Codec<unknown> = {
      name: 'exotic',
      format: 'string',
      encode: (value) => jsonCodec.encode(value),
      decode: (payload) => ({
        record: jsonCodec.decode(payload),
        handle: new Proxy(
          {},
          {
            preventExtensions() {
              throw thrown
            },
          },
        ),
      }),
    }
    const { cache, driver, logger } = testCache({ shareValues: true, codec: exotic, prefix: 'exotic' })
    await cache.set(patientKey({ id: 1 }), record())
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(await driver.exists(['exotic:patient:1'])).toBe(0)
    expect(cache.stats()).toMatchObject({ decodeFailures: 1, misses: 1, hits: 0 })
    expect(logger.lines.map((line) => line.fields.code)).toEqual(['DECODE_FAILED'])
    expect(JSON.stringify(logger.lines)).not.toContain('TRAORE')
  })

  it('refuses a bad option with a typed error naming it', () => {
    expect(() => testCache({ shareValues: 'yes' as unknown as boolean })).toThrow(InvalidOptionsError)
    expect(() => testCache({ shareValues: { maxEntries: 0 } })).toThrow(/shareValues/)
    expect(() => testCache({ shareValues: { maxEntrys: 5 } as unknown as { maxEntries: number } })).toThrow(/shareValues/)
  })
})

describe('deepFreeze', () => {
  it('freezes plain objects and arrays all the way down, and leaves other objects unwalked', () => {
    const map = new Map([['k', { inner: 1 }]])
    const value = deepFreeze({ a: [{ b: 1 }], map })
    expect(Object.isFrozen(value.a[0])).toBe(true)
    expect(Object.isFrozen(map)).toBe(true)
    expect(Object.isFrozen(map.get('k'))).toBe(false)
    expect(deepFreeze(null)).toBeNull()
    expect(deepFreeze('text')).toBe('text')
  })

  it('walks a value of any depth, and a value reached twice or through a cycle once', () => {
    let deep: unknown = { leaf: true }
    for (let level = 0; level < 50_000; level++) deep = level % 2 === 0 ? [deep] : { next: deep }
    expect(() => deepFreeze(deep)).not.toThrow()
    const shared = { n: 1 }
    const cyclic: Record<string, unknown> = { a: shared, b: [shared] }
    cyclic.self = cyclic
    expect(deepFreeze(cyclic)).toBe(cyclic)
    expect(Object.isFrozen(shared) && Object.isFrozen(cyclic.b)).toBe(true)
  })
})
