import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCache, memoryDriver } from '../src/index.js'

const KEY = new Uint8Array(32).map((_, i) => (i * 13 + 5) % 256)

/** One cache and its driver: the store is read and written directly to tamper with entries. */
function sealedCache() {
  const driver = memoryDriver()
  const cache = createCache({ env: false, driver, prefix: 'p', logger: { warn: () => undefined }, encryption: { keys: { k1: KEY }, current: 'k1' } })
  return { driver, cache }
}

/** Any JSON value (what the default codec stores), nested a little. */
const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown)

describe('encrypted envelope, properties', () => {
  it('round-trips any JSON value, under any key name', async () => {
    const { cache } = sealedCache()
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }).filter((key) => !/[*?[\]\\{}\u0000-\u001f]/.test(key)), json, async (key, value) => {
        expect(await cache.set(key, value)).toBe(true)
        expect(await cache.get(key)).toEqual(value)
      }),
      { numRuns: 200 },
    )
  })

  it('detects a change of any one character, anywhere in the stored entry', async () => {
    const { cache, driver } = sealedCache()
    await fc.assert(
      fc.asyncProperty(json, fc.nat(), fc.integer({ min: 1, max: 0xffff }), async (value, at, delta) => {
        await cache.set('entry', value, { tags: ['t'] })
        const raw = (await driver.get('p:entry')) as string
        const i = at % raw.length
        const changed = String.fromCharCode((raw.charCodeAt(i) + delta) % 0x10000)
        fc.pre(changed !== raw[i])
        const tampered = raw.slice(0, i) + changed + raw.slice(i + 1)
        // A change base64 decoding cannot see (a padding bit of the last character) changes no
        // byte of the ciphertext: not a tampering. Every other change must be detected.
        const end = raw.indexOf('\n')
        const sameBytes = i > end && Buffer.from(raw.slice(end + 1), 'base64').equals(Buffer.from(tampered.slice(end + 1), 'base64'))
        fc.pre(!sameBytes)
        await driver.set('p:entry', tampered)
        expect(await cache.get('entry')).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  })
})
