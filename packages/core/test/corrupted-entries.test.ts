import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineKey, memoryDriver, type BytesCodec, type StandardSchemaV1 } from '../src/index.js'
import { testCache } from './support/cache.js'

const PatientSchema = z.object({ id: z.number(), name: z.string() })
const patientKey = defineKey('patient:{id}', { schema: PatientSchema })

async function setup(raw: string | Uint8Array) {
  const driver = memoryDriver()
  const { cache, logger } = testCache({ driver, prefix: 'c' })
  await driver.set('c:patient:1', raw, { ttlMs: 60_000 })
  return { driver, cache, logger }
}

describe('corrupted entries are a miss, deleted, counted, never thrown', () => {
  it.each([
    ['bad JSON', '@c1\n{"id":1,'],
    ['a schema mismatch', '@c1\n{"id":"one","name":"x"}'],
    ['a future envelope version', '@c3\n{"id":1,"name":"x"}'],
    ['no envelope at all', '{"id":1,"name":"x"}'],
    ['an empty value', ''],
    ['a malformed header', '@c1{"id":1,"name":"x"}'],
    ['unparsable metadata', '@c1 {oops\n{"id":1,"name":"x"}'],
    ['metadata that is not an object', '@c1 [1]\n{"id":1,"name":"x"}'],
    ['a tag token that is not a string', '@c1 {"t":{"a":1}}\n{"id":1,"name":"x"}'],
    ['an unterminated header', '@c1 {"t":{}}'],
  ])('%s', async (_, raw) => {
    const { driver, cache, logger } = await setup(raw)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(await driver.exists(['c:patient:1'])).toBe(0)
    expect(cache.stats()).toMatchObject({ decodeFailures: 1, misses: 1, hits: 0 })
    expect(logger.lines.map((line) => line.fields.code)).toEqual(['DECODE_FAILED'])
  })

  it('getOrSet replaces a corrupted entry with the loader value', async () => {
    const { cache } = await setup('@c1\nnot json')
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => ({ id: 1, name: 'fresh' }))).toEqual({ id: 1, name: 'fresh' })
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ id: 1, name: 'fresh' })
  })

  it('has() answers false for a corrupted entry', async () => {
    const { cache } = await setup('@c1\n{"id":"one"}')
    expect(await cache.has(patientKey({ id: 1 }))).toBe(false)
  })

  it('ignores unknown metadata fields (forward compatible within v1)', async () => {
    const { cache } = await setup('@c1 {"x":1,"f":99999999999999}\n{"id":1,"name":"x"}')
    expect(await cache.get(patientKey({ id: 1 }))).toEqual({ id: 1, name: 'x' })
  })

  it('returns what the schema outputs (coercion applies on read)', async () => {
    const eventKey = defineKey('event:{id}', { schema: z.object({ at: z.coerce.date() }) })
    const { cache } = testCache()
    await cache.set(eventKey({ id: 1 }), { at: new Date('2025-01-08T10:00:00Z') })
    const event = await cache.get(eventKey({ id: 1 }))
    expect(event?.at).toBeInstanceOf(Date)
    expect(event?.at.toISOString()).toBe('2025-01-08T10:00:00.000Z')
  })

  it('supports asynchronous Standard Schema validators', async () => {
    const asyncSchema: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => (typeof value === 'number' ? { value } : { issues: [{ message: 'not a number' }] }),
      },
    }
    const countKey = defineKey('count:{id}', { schema: asyncSchema })
    const { driver, cache } = testCache({ prefix: 'a' })
    await cache.set(countKey({ id: 1 }), 3)
    expect(await cache.get(countKey({ id: 1 }))).toBe(3)
    await driver.set('a:count:2', '@c1\n"three"')
    expect(await cache.get(countKey({ id: 2 }))).toBeUndefined()
    expect(cache.stats().decodeFailures).toBe(1)
  })

  it('a bytes codec that fails to decode is a miss too', async () => {
    const bytes: BytesCodec<string> = {
      name: 'utf8-strict',
      format: 'bytes',
      encode: (value) => new TextEncoder().encode(value),
      decode: (payload) => new TextDecoder('utf-8', { fatal: true }).decode(payload),
    }
    const textKey = defineKey('text:{id}', { codec: bytes })
    const { driver, cache } = testCache({ prefix: 'b' })
    await cache.set(textKey({ id: 1 }), 'héllo')
    expect(await cache.get(textKey({ id: 1 }))).toBe('héllo')
    await driver.set('b:text:2', new Uint8Array([0x40, 0x63, 0x31, 0x0a, 0xff, 0xfe]))
    expect(await cache.get(textKey({ id: 2 }))).toBeUndefined()
    expect(cache.stats().decodeFailures).toBe(1)
  })
})
