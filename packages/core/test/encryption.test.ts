import { createFakeClock } from '@cachette/testing'
import { describe, expect, it, vi } from 'vitest'
import { createCache, defineKey, InvalidOptionsError, memoryDriver, type Driver } from '../src/index.js'
import { recordingLogger } from './support/cache.js'

const patientKey = defineKey('patient:{id}')
const KEY_A = new Uint8Array(32).map((_, i) => i + 1)
const KEY_B = new Uint8Array(32).map((_, i) => 200 - i)
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const PATIENT = { nom: 'DUPONT', prenoms: 'Jeanne Marie', telephone: '+33612345678', email: 'jeanne.dupont@example.org' }

function encrypted(driver: Driver, keys: Record<string, Uint8Array | string>, current: string, extra: Parameters<typeof createCache>[0] = {}) {
  const logger = recordingLogger()
  const cache = createCache({ env: false, logger, driver, prefix: 'enc', ttl: '10m', encryption: { keys, current }, ...extra })
  return { cache, logger }
}

/** No trace of the patient in a stored value. */
function expectNoPlaintext(raw: string | null) {
  expect(raw).not.toBeNull()
  for (const secret of ['DUPONT', 'Jeanne', '612345678', 'jeanne.dupont', 'example.org']) expect(raw).not.toContain(secret)
}

describe('encryption at rest', () => {
  it('stores an authenticated ciphertext (@c3) and reads the value back', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a')
    expect(await cache.set(patientKey({ id: 1 }), PATIENT, { tags: ['ej:1'] })).toBe(true)
    const raw = await driver.get('enc:patient:1')
    expect(raw?.startsWith('@c3 {')).toBe(true)
    expectNoPlaintext(raw)
    expect(await cache.get(patientKey({ id: 1 }))).toEqual(PATIENT)
    expect(await cache.getOrSet(patientKey({ id: 2 }), () => PATIENT)).toEqual(PATIENT)
    expect(await cache.getOrSet(patientKey({ id: 2 }), () => ({ other: true }))).toEqual(PATIENT)
    expectNoPlaintext(await driver.get('enc:patient:2'))
    // Each write takes its own IV: the same value twice gives two ciphertexts.
    await cache.set(patientKey({ id: 3 }), PATIENT)
    await cache.set(patientKey({ id: 4 }), PATIENT)
    const [three, four] = [await driver.get('enc:patient:3'), await driver.get('enc:patient:4')]
    expect(three?.slice(three.indexOf('\n'))).not.toBe(four?.slice(four.indexOf('\n')))
    expect(cache.stats()).toMatchObject({ decryptFailures: 0 })
  })

  it('compresses, then encrypts; grace and tags keep working', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = encrypted(driver, { a: base64(KEY_A) }, 'a', { clock, compression: { threshold: 100 }, grace: '1h' })
    const large = { ...PATIENT, notes: 'DUPONT '.repeat(500) }
    await cache.set(patientKey({ id: 1 }), large, { tags: ['ej:1'] })
    const raw = await driver.get('enc:patient:1')
    expect(raw?.startsWith('@c3 ')).toBe(true)
    expect(JSON.parse(raw?.slice(4, raw.indexOf('\n')) ?? '{}')).toMatchObject({ z: 'gzip', k: 'a' })
    expectNoPlaintext(raw)
    expect(await cache.get(patientKey({ id: 1 }))).toEqual(large)
    clock.advance(11 * 60_000)
    // Stale, within grace: served when the loader fails.
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('down')))).toEqual(large)
    await cache.invalidateTags(['ej:1'])
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
  })

  it('a ciphertext copied under another key reads as a miss, counted, never as the other entry', async () => {
    const driver = memoryDriver()
    const { cache, logger } = encrypted(driver, { a: KEY_A }, 'a')
    await cache.set(patientKey({ id: 1 }), PATIENT)
    await cache.set(patientKey({ id: 2 }), { nom: 'MARTIN' })
    const raw = (await driver.get('enc:patient:1')) as string
    await driver.set('enc:patient:2', raw)
    expect(await cache.get(patientKey({ id: 2 }))).toBeUndefined()
    expect(cache.stats()).toMatchObject({ decryptFailures: 1 })
    expect(await cache.getOrSet(patientKey({ id: 2 }), () => ({ nom: 'MARTIN' }))).toEqual({ nom: 'MARTIN' })
    // The log says what happened, never which key or what value.
    const lines = JSON.stringify(logger.lines)
    expect(lines).toContain('DECRYPT_FAILED')
    expect(lines).not.toContain('patient:2')
    expect(lines).not.toContain('DUPONT')
  })

  it('detects a change of any character of the stored entry', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a')
    await cache.set(patientKey({ id: 1 }), PATIENT, { tags: ['ej:1'], ttl: '5m' })
    const raw = (await driver.get('enc:patient:1')) as string
    let tried = 0
    for (let i = 0; i < raw.length; i++) {
      const original = raw.charCodeAt(i)
      // Another character of the same kind, so the entry still parses where it can.
      const replacement = original === 0x41 ? 'B' : original === 0x30 ? '1' : original === 0x7b ? '[' : String.fromCharCode(original === 0x7a ? 0x79 : original + 1)
      const tampered = raw.slice(0, i) + replacement + raw.slice(i + 1)
      await driver.set('enc:patient:1', tampered)
      const read = await cache.get(patientKey({ id: 1 }))
      expect(read, `character ${i} changed`).not.toEqual(PATIENT)
      tried++
    }
    expect(tried).toBe(raw.length)
    await driver.set('enc:patient:1', raw)
    expect(await cache.get(patientKey({ id: 1 }))).toEqual(PATIENT)
  })

  it('round-trips any JSON value', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a')
    const values: unknown[] = [0, -1.5, '', 'é😀\u0000', null, true, [], {}, { nested: { deep: [1, 'two', null] } }, 'x'.repeat(100_000)]
    for (const [id, value] of values.entries()) {
      await cache.set(patientKey({ id }), value)
      expect(await cache.get(patientKey({ id }))).toEqual(value)
    }
  })

  it('rotates without a flush: old entries read under the new key, are rewritten on read and by reencrypt()', async () => {
    const driver = memoryDriver()
    const before = encrypted(driver, { a: KEY_A }, 'a').cache
    for (let id = 0; id < 20; id++) await before.set(patientKey({ id }), { ...PATIENT, id })
    // A cache given only B cannot read them: misses, counted.
    const onlyB = encrypted(driver, { b: KEY_B }, 'b').cache
    expect(await onlyB.get(patientKey({ id: 0 }))).toBeUndefined()
    expect(onlyB.stats().decryptFailures).toBe(1)
    // Rotation: both keys, B current.
    const rotated = encrypted(driver, { a: KEY_A, b: KEY_B }, 'b').cache
    for (let id = 0; id < 5; id++) expect(await rotated.get(patientKey({ id }))).toEqual({ ...PATIENT, id })
    await vi.waitFor(() => expect(rotated.stats().reencrypted).toBe(5))
    const result = await rotated.reencrypt()
    expect(result).toEqual({ reencrypted: 15, current: 5, remaining: {}, unencrypted: 0 })
    expect(await rotated.reencrypt()).toEqual({ reencrypted: 0, current: 20, remaining: {}, unencrypted: 0 })
    // Now a cache with B alone reads every one.
    const after = encrypted(driver, { b: KEY_B }, 'b').cache
    for (let id = 0; id < 20; id++) expect(await after.get(patientKey({ id }))).toEqual({ ...PATIENT, id })
    expect(after.stats().decryptFailures).toBe(0)
  })

  it('reencrypt() reports what it cannot open, by key id', async () => {
    const driver = memoryDriver()
    await encrypted(driver, { a: KEY_A }, 'a').cache.set(patientKey({ id: 1 }), PATIENT)
    await createCache({ env: false, driver, prefix: 'enc' }).set(patientKey({ id: 2 }), PATIENT)
    const result = await encrypted(driver, { b: KEY_B }, 'b').cache.reencrypt()
    expect(result).toEqual({ reencrypted: 0, current: 0, remaining: { a: 1 }, unencrypted: 1 })
  })

  it('soft expiry of an encrypted entry keeps it for grace', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a', { grace: '1h' })
    await cache.set(patientKey({ id: 1 }), PATIENT)
    expect(await cache.expire(patientKey({ id: 1 }))).toBe(1)
    expect(await cache.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(await cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('down')))).toEqual(PATIENT)
    expect(cache.stats().decryptFailures).toBe(0)
  })

  it('batches read and write encrypted entries (getOrSetMany, getMany, setMany)', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a')
    await cache.setMany([
      { key: patientKey({ id: 1 }), value: { ...PATIENT, id: 1 } },
      { key: patientKey({ id: 2 }), value: { ...PATIENT, id: 2 } },
    ])
    const loaded = await cache.getOrSetMany([patientKey({ id: 1 }), patientKey({ id: 2 }), patientKey({ id: 3 })], (missing) => missing.map(() => ({ ...PATIENT, id: 3 })))
    expect(loaded.map((value) => (value as { id: number }).id)).toEqual([1, 2, 3])
    expect((await cache.getMany([patientKey({ id: 3 }), patientKey({ id: 4 })])).map((value) => (value as { id: number } | undefined)?.id)).toEqual([3, undefined])
    for (const id of [1, 2, 3]) expectNoPlaintext(await driver.get(`enc:patient:${id}`))
    expect(cache.stats()).toMatchObject({ loaderCalls: 1, decryptFailures: 0 })
  })

  it('the memory tier holds decrypted values in process memory, the store only ciphertext', async () => {
    const driver = memoryDriver()
    const { cache } = encrypted(driver, { a: KEY_A }, 'a', { l1: true })
    await vi.waitFor(() => expect(cache.stats().l1?.serving).toBe(true))
    await cache.set(patientKey({ id: 1 }), PATIENT)
    expect(await cache.get(patientKey({ id: 1 }))).toEqual(PATIENT)
    expect(cache.stats().l1?.hits).toBe(1)
    expectNoPlaintext(await driver.get('enc:patient:1'))
  })

  it('reads keys from CACHE_ENCRYPTION_KEYS, and refuses bad ones at startup without quoting them', () => {
    const driver = memoryDriver()
    const env = { CACHE_ENCRYPTION_KEYS: `old:${base64(KEY_A)}, new:${base64(KEY_B)}`, CACHE_ENCRYPTION_CURRENT: 'new' }
    const cache = createCache({ env, driver, prefix: 'enc' })
    expect(cache.reencrypt).toBeTypeOf('function')
    const short = base64(new Uint8Array(16).fill(7))
    const attempts: [Record<string, string>, RegExp][] = [
      [{ CACHE_ENCRYPTION_KEYS: `a:${short}`, CACHE_ENCRYPTION_CURRENT: 'a' }, /key 'a' is 16 bytes; AES-256 needs 32/],
      [{ CACHE_ENCRYPTION_KEYS: `a:${base64(KEY_A)}` }, /CACHE_ENCRYPTION_CURRENT: .* required/],
      [{ CACHE_ENCRYPTION_KEYS: `a:${base64(KEY_A)}`, CACHE_ENCRYPTION_CURRENT: 'b' }, /CACHE_ENCRYPTION_CURRENT: 'b' is not one of the keys/],
      [{ CACHE_ENCRYPTION_KEYS: 'no-colon-here' }, /id:base64 pairs/],
      [{ CACHE_ENCRYPTION_KEYS: 'a:not base64!', CACHE_ENCRYPTION_CURRENT: 'a' }, /key 'a' is not base64/],
      [{ CACHE_ENCRYPTION_CURRENT: 'a' }, /CACHE_ENCRYPTION_CURRENT is set but CACHE_ENCRYPTION_KEYS is not/],
    ]
    for (const [bad, message] of attempts) {
      let thrown: unknown
      try {
        createCache({ env: bad, driver, prefix: 'enc' })
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidOptionsError)
      expect((thrown as Error).message).toMatch(message)
      for (const value of Object.values(bad)) for (const part of value.split(/[,:]/)) if (part.length >= 16) expect((thrown as Error).message).not.toContain(part.trim())
    }
  })

  it('refuses a key of the wrong length, a current key not listed, and wire: plain', () => {
    expect(() => createCache({ env: false, encryption: { keys: { a: new Uint8Array(31) }, current: 'a' } })).toThrow(/key 'a' is 31 bytes/)
    expect(() => createCache({ env: false, encryption: { keys: { a: KEY_A }, current: 'b' } })).toThrow(/encryption.current: 'b' is not one of the keys/)
    expect(() => createCache({ env: false, encryption: { keys: { 'bad id!': KEY_A }, current: 'a' } })).toThrow(InvalidOptionsError)
    expect(() => createCache({ env: false, wire: 'plain', encryption: { keys: { a: KEY_A }, current: 'a' } })).toThrow(/refused with wire: 'plain'/)
  })

  it('a cache without the keys reads an encrypted entry as a miss and leaves it in place', async () => {
    const driver = memoryDriver()
    await encrypted(driver, { a: KEY_A }, 'a').cache.set(patientKey({ id: 1 }), PATIENT)
    const plain = createCache({ env: false, logger: recordingLogger(), driver, prefix: 'enc' })
    expect(await plain.get(patientKey({ id: 1 }))).toBeUndefined()
    expect(plain.stats().decryptFailures).toBe(1)
    expect(await driver.get('enc:patient:1')).not.toBeNull()
  })
})

describe('the sealer: node:crypto and WebCrypto give the same bytes', () => {
  /** A Sealer built while `process.getBuiltinModule` is hidden: WebCrypto only, as on an edge runtime. */
  async function webOnly(keys: Map<string, Uint8Array>, current: string) {
    const { Sealer, webCrypto } = await import('../src/encoding/sealer.js')
    const saved = process.getBuiltinModule
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true })
    try {
      const crypto = webCrypto()
      if (crypto?.subtle === undefined) throw new Error('no WebCrypto')
      return new Sealer(keys, current, { subtle: crypto.subtle, getRandomValues: (array) => crypto.getRandomValues(array) })
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: saved, configurable: true, writable: true })
    }
  }

  it('each opens what the other sealed, and both refuse other associated data', async () => {
    const { Sealer, webCrypto, OpenError } = await import('../src/encoding/sealer.js')
    const keys = new Map([['a', KEY_A]])
    const crypto = webCrypto()
    if (crypto?.subtle === undefined) throw new Error('no WebCrypto')
    const node = new Sealer(keys, 'a', { subtle: crypto.subtle, getRandomValues: (array) => crypto.getRandomValues(array) })
    const web = await webOnly(keys, 'a')
    const plaintext = new TextEncoder().encode(JSON.stringify(PATIENT))
    for (const [from, to] of [
      [node, web],
      [web, node],
    ] as const) {
      const sealed = await from.seal(plaintext, (k, i) => `enc:patient:1\u0000${k}${i}`)
      const opened = await to.open(`enc:patient:1\u0000${sealed.k}${sealed.i}`, sealed.k, sealed.i, sealed.ciphertext)
      expect(new TextDecoder().decode(opened)).toBe(JSON.stringify(PATIENT))
      await expect(to.open(`enc:patient:2\u0000${sealed.k}${sealed.i}`, sealed.k, sealed.i, sealed.ciphertext)).rejects.toBeInstanceOf(OpenError)
      await expect(to.open(`enc:patient:1\u0000${sealed.k}${sealed.i}`, 'z', sealed.i, sealed.ciphertext)).rejects.toMatchObject({ reason: 'unknown-key' })
      await expect(to.open(`enc:patient:1\u0000${sealed.k}${sealed.i}`, sealed.k, sealed.i, sealed.ciphertext.subarray(0, 8))).rejects.toMatchObject({ reason: 'failed' })
    }
  })
})
