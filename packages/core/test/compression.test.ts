import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { createFakeClock, startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ioredisDriver } from '../../ioredis/src/index.js'
import { createCache, defineKey, InvalidOptionsError, memoryDriver, type BytesCodec, type Driver } from '../src/index.js'
import { compressorFor, detectCompressor, runtimeGlobals, streamCompressor, zlibCompressor, type TransformStreamConstructor, type ZlibModule } from '../src/encoding/compressors.js'
import { resolveCompression } from '../src/options/compression-options.js'
import { randomPrefix, testCache } from './support/cache.js'

/**
 * `createCache({ compression })`: payloads at or above the threshold are stored compressed in a
 * `@c2` envelope (or, in plain mode, as gzip flagged by its magic); everything below is stored and
 * read exactly as before. Memory and a real redis-server, gzip and brotli.
 */

const bundleKey = defineKey('bundle:{id}')
const textKey = defineKey('text:{id}')

/** A FHIR-like searchset Bundle of about `count` × 330 bytes of JSON, varied enough to compress like real data. */
function bundle(count: number): Record<string, unknown> {
  const entry = Array.from({ length: count }, (_, index) => ({
    fullUrl: `urn:uuid:${(index * 2_654_435_761).toString(16).padStart(8, '0')}-4a1f-9c3e-${index.toString(16).padStart(12, '0')}`,
    resource: {
      resourceType: 'Encounter',
      id: `enc-${index}`,
      status: index % 7 === 0 ? 'in-progress' : 'finished',
      subject: { reference: `Patient/${100_000 + ((index * 7_919) % 90_000)}` },
      period: { start: new Date(Date.UTC(2025, 0, 1) + index * 3_601_000).toISOString(), end: new Date(Date.UTC(2025, 0, 2) + index * 3_599_000).toISOString() },
      location: [{ location: { reference: `Location/UF-${1000 + (index % 40)}`, display: `Unité fonctionnelle ${index % 40}` } }],
    },
  }))
  return { resourceType: 'Bundle', type: 'searchset', total: count, entry }
}

const large = bundle(300) // about 100 KB of JSON
const small = { resourceType: 'Patient', id: '42', name: [{ family: 'KOUADIO', given: ['Awa'] }] }
const largeJson = JSON.stringify(large)

/** The metadata of a stored envelope, parsed. */
function metaOf(raw: string): Record<string, unknown> {
  return JSON.parse(raw.slice(4, raw.indexOf('\n'))) as Record<string, unknown>
}

/** A bytes codec storing JSON as UTF-8 bytes: compressed entries of it are stored as raw bytes. */
const utf8Json: BytesCodec<unknown> = {
  name: 'utf8-json',
  format: 'bytes',
  encode: (value) => new TextEncoder().encode(JSON.stringify(value)),
  decode: (payload) => JSON.parse(new TextDecoder().decode(payload)) as unknown,
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => {
  vi.restoreAllMocks()
})

describe('compression option', () => {
  it.each([
    ['a string', 'gzip', 'compression'],
    ['an unknown algorithm', { algorithm: 'lz4' }, 'compression.algorithm'],
    ['a negative threshold', { threshold: -1 }, 'compression.threshold'],
    ['a fractional threshold', { threshold: 1.5 }, 'compression.threshold'],
    ['a threshold given as text', { threshold: '1kb' }, 'compression.threshold'],
    ['an unknown field', { level: 9 }, 'compression'],
  ])('refuses %s with an InvalidOptionsError naming the option', (_, compression, name) => {
    let error: unknown
    try {
      createCache({ env: false, compression: compression as never })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as Error).message).toContain(`${name}:`)
  })

  it("refuses brotli with wire: 'plain' (a brotli stream has no magic bytes)", () => {
    expect(() => createCache({ env: false, wire: 'plain', compression: { algorithm: 'brotli' } })).toThrow(/compression\.algorithm: 'brotli' is refused with wire: 'plain'/)
  })

  it('refuses an algorithm the runtime lacks, naming the option', () => {
    const problems: string[] = []
    expect(resolveCompression({ algorithm: 'brotli' }, 'cachette', problems, () => undefined)).toBeUndefined()
    expect(problems).toEqual([expect.stringMatching(/^compression\.algorithm: 'brotli' is not available in this runtime/)])
  })

  it('is off by default: a large value is stored as before, in a @c1 envelope', async () => {
    const { cache, driver } = testCache({ prefix: 'off' })
    await cache.set(bundleKey({ id: 1 }), large)
    expect(await driver.get('off:bundle:1')).toBe(`@c1\n${largeJson}`)
    expect(cache.stats()).toMatchObject({ compressedWrites: 0, compressionSavedBytes: 0 })
  })

  it('true is gzip from 4096 bytes', () => {
    const problems: string[] = []
    expect(resolveCompression(true, 'cachette', problems)).toMatchObject({ algorithm: 'gzip', thresholdBytes: 4096 })
    expect(resolveCompression({}, 'cachette', problems)).toMatchObject({ algorithm: 'gzip', thresholdBytes: 4096 })
    expect(problems).toEqual([])
  })
})

describe('which compressor runs where', () => {
  it('uses node:zlib on this Node (process.getBuiltinModule), for gzip and brotli', () => {
    expect(compressorFor('gzip')?.runtime).toBe('node:zlib')
    expect(compressorFor('brotli')?.runtime).toBe('node:zlib')
  })

  it('falls back to CompressionStream without getBuiltinModule (edge runtimes, Node < 20.16): gzip only on Node 20', () => {
    const edge = { ...runtimeGlobals(), getBuiltinModule: undefined }
    expect(detectCompressor('gzip', edge)?.runtime).toBe('CompressionStream')
    // Node 20's CompressionStream refuses 'brotli'; a runtime that takes it would get brotli too.
    expect(detectCompressor('brotli', edge)).toBeUndefined()
    expect(detectCompressor('gzip', { getBuiltinModule: undefined, CompressionStream: undefined, DecompressionStream: undefined })).toBeUndefined()
  })

  it('the stream and zlib paths read each other', async () => {
    const globals = runtimeGlobals()
    const streams = streamCompressor(globals.CompressionStream as TransformStreamConstructor, globals.DecompressionStream as TransformStreamConstructor, 'gzip')
    const zlib = zlibCompressor((await import('node:zlib')) as unknown as ZlibModule, 'gzip')
    const payload = new TextEncoder().encode(largeJson)
    expect(new TextDecoder().decode(zlib.decompress(await streams.compress(payload), payload.length) as Uint8Array)).toBe(largeJson)
    expect(new TextDecoder().decode(await streams.decompress(await zlib.compress(payload), payload.length))).toBe(largeJson)
  })

  it('decompression stops at the size the entry declares, on both paths', async () => {
    const globals = runtimeGlobals()
    const streams = streamCompressor(globals.CompressionStream as TransformStreamConstructor, globals.DecompressionStream as TransformStreamConstructor, 'gzip')
    const bomb = gzipSync(new Uint8Array(1_000_000))
    await expect(streams.decompress(bomb, 1_000)).rejects.toThrow(RangeError)
    expect(() => compressorFor('gzip')?.decompress(bomb, 1_000)).toThrow()
  })
})

/** Round trips on a driver, for gzip and brotli. */
function roundTrips(name: string, makeDriver: () => Driver) {
  describe.each(['gzip', 'brotli'] as const)(`round trip on ${name}, %s`, (algorithm) => {
    it('a large value is stored compressed in a @c2 envelope and read back', async () => {
      const driver = makeDriver()
      const prefix = randomPrefix()
      const cache = createCache({ driver, env: false, prefix, compression: { algorithm } })
      expect(await cache.set(bundleKey({ id: 1 }), large)).toBe(true)
      const raw = (await driver.get(`${prefix}:bundle:1`)) as string
      const payloadBytes = Buffer.byteLength(largeJson)
      expect(raw.startsWith('@c2 ')).toBe(true)
      expect(metaOf(raw)).toEqual({ z: algorithm, n: payloadBytes, e: 'base64' })
      // What another service does with it: base64, then the algorithm's decompression.
      const packed = Buffer.from(raw.slice(raw.indexOf('\n') + 1), 'base64')
      const unpacked = algorithm === 'gzip' ? gunzipSync(packed) : (await import('node:zlib')).brotliDecompressSync(packed)
      expect(unpacked.toString('utf8')).toBe(largeJson)
      expect(raw.length).toBeLessThan(payloadBytes / 4)
      expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
      expect(cache.stats()).toMatchObject({ sets: 1, hits: 1, compressedWrites: 1, decodeFailures: 0 })
      expect(cache.stats().compressionSavedBytes).toBe(payloadBytes - (raw.length - raw.indexOf('\n') - 1))
      await cache.close()
    })

    it('getOrSet: a miss stores compressed, the next call is a hit', async () => {
      const driver = makeDriver()
      const cache = createCache({ driver, env: false, prefix: randomPrefix(), compression: { algorithm } })
      let calls = 0
      const load = () => {
        calls++
        return large
      }
      expect(await cache.getOrSet(bundleKey({ id: 2 }), load)).toEqual(large)
      await vi.waitFor(async () => expect(await cache.has(bundleKey({ id: 2 }))).toBe(true))
      expect(await cache.getOrSet(bundleKey({ id: 2 }), load)).toEqual(large)
      expect(calls).toBe(1)
      expect(cache.stats().compressedWrites).toBe(1)
      await cache.close()
    })

    it('a bytes codec stores its compressed payload as bytes, after the same header', async () => {
      const driver = makeDriver()
      const prefix = randomPrefix()
      const cache = createCache({ driver, env: false, prefix, codec: utf8Json, compression: { algorithm } })
      await cache.set(bundleKey({ id: 3 }), large)
      const raw = (await driver.getBytes(`${prefix}:bundle:3`)) as Uint8Array
      const end = raw.indexOf(0x0a)
      expect(new TextDecoder().decode(raw.subarray(0, end))).toBe(`@c2 ${JSON.stringify({ z: algorithm, n: Buffer.byteLength(largeJson) })}`)
      if (algorithm === 'gzip') expect([...raw.subarray(end + 1, end + 3)]).toEqual([0x1f, 0x8b])
      expect(await cache.get(bundleKey({ id: 3 }))).toEqual(large)
      await cache.close()
    })

    it('a damaged compressed entry is a miss, counted in decodeFailures, and deleted', async () => {
      const driver = makeDriver()
      const prefix = randomPrefix()
      const cache = createCache({ driver, env: false, prefix, compression: { algorithm }, logger: { warn: () => undefined } })
      await cache.set(bundleKey({ id: 4 }), large)
      const raw = (await driver.get(`${prefix}:bundle:4`)) as string
      // Cut the compressed stream short: both algorithms notice a truncated stream.
      await driver.set(`${prefix}:bundle:4`, raw.slice(0, raw.length - 200), { ttlMs: 60_000 })
      expect(await cache.get(bundleKey({ id: 4 }))).toBeUndefined()
      await vi.waitFor(async () => expect(await driver.get(`${prefix}:bundle:4`)).toBeNull())
      expect(cache.stats()).toMatchObject({ decodeFailures: 1, misses: 1, hits: 0 })
      await cache.close()
    })
  })
}

roundTrips('memoryDriver()', () => memoryDriver())

describe('on a real redis-server', () => {
  let server: RedisServerHandle | undefined
  const drivers: Driver[] = []
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await Promise.all(drivers.map((driver) => driver.close()))
    await server?.stop()
  })
  roundTrips('redis-server (ioredisDriver)', () => {
    const driver = ioredisDriver({ url: (server as RedisServerHandle).url })
    drivers.push(driver)
    return driver
  })
})

describe('the threshold', () => {
  // JSON.stringify of a string is its characters and two quotes.
  const cache = () => testCache({ prefix: 'th', compression: { threshold: 1000 } })

  it('compresses a payload of exactly the threshold, not one byte below', async () => {
    const { cache: c, driver } = cache()
    await c.set(textKey({ id: 'at' }), 'a'.repeat(998))
    await c.set(textKey({ id: 'below' }), 'a'.repeat(997))
    expect(((await driver.get('th:text:at')) as string).startsWith('@c2 ')).toBe(true)
    expect(await driver.get('th:text:below')).toBe(`@c1\n"${'a'.repeat(997)}"`)
    expect(await c.get(textKey({ id: 'at' }))).toBe('a'.repeat(998))
    expect(c.stats().compressedWrites).toBe(1)
  })

  it('counts UTF-8 bytes, not characters', async () => {
    const { cache: c, driver } = cache()
    // 'é' is 2 bytes: 499 of them and the quotes are 1000 bytes in 501 characters.
    await c.set(textKey({ id: 'at' }), 'é'.repeat(499))
    await c.set(textKey({ id: 'below' }), 'é'.repeat(498))
    expect(((await driver.get('th:text:at')) as string).startsWith('@c2 ')).toBe(true)
    expect(((await driver.get('th:text:below')) as string).startsWith('@c1\n')).toBe(true)
    expect(await c.get(textKey({ id: 'at' }))).toBe('é'.repeat(499))
  })

  it('stores a payload that does not get smaller as it is', async () => {
    const { cache: c, driver } = cache()
    // Random printable characters: gzip saves less than base64 adds.
    let state = 7
    const noise = Array.from({ length: 4000 }, () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
      return String.fromCharCode(0x28 + ((state >>> 16) % 80))
    })
      .join('')
      .replaceAll('\\', '/')
    await c.set(textKey({ id: 'noise' }), noise)
    expect(((await driver.get('th:text:noise')) as string).startsWith('@c1\n')).toBe(true)
    expect(c.stats().compressedWrites).toBe(0)
    expect(await c.get(textKey({ id: 'noise' }))).toBe(noise)
  })
})

describe('damaged or foreign compressed entries', () => {
  const header = `@c2 ${JSON.stringify({ z: 'gzip', n: Buffer.byteLength(largeJson), e: 'base64' })}\n`
  const valid = header + gzipSync(largeJson).toString('base64')
  const flipped = gzipSync(largeJson)
  const middle = Math.floor(flipped.length / 2)
  flipped[middle] = (flipped[middle] as number) ^ 0x01

  it.each([
    ['a flipped bit in the compressed stream (gzip CRC)', header + flipped.toString('base64')],
    ['a size that is not the decompressed size', valid.replace(/"n":\d+/, `"n":${Buffer.byteLength(largeJson) + 1}`)],
    ['a size below the decompressed size (a bomb stops there)', valid.replace(/"n":\d+/, '"n":1000')],
    ['a size above what any entry may hold', valid.replace(/"n":\d+/, `"n":${2 ** 40}`)],
    ['no size', valid.replace(/"n":\d+,/, '')],
    ['an unknown algorithm', valid.replace('"gzip"', '"lz4"')],
    ['compressed bytes a text codec cannot read (no e: base64)', valid.replace(',"e":"base64"', '')],
    ['a version 2 header without metadata', `@c2\n${largeJson}`],
    ['compression fields in a version 1 envelope', valid.replace('@c2', '@c1')],
    ['brotli bytes labelled gzip', valid.replace(/\n.*$/s, `\n${brotliCompressSync(largeJson).toString('base64')}`)],
    ['an unknown envelope version', `@c3 {"z":"gzip","n":1}\nH4sI`],
  ])('%s: a miss, counted, deleted', async (_, raw) => {
    const { cache, driver, logger } = testCache({ prefix: 'bad', compression: true })
    await driver.set('bad:bundle:1', raw, { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toBeUndefined()
    await tick()
    expect(await driver.exists(['bad:bundle:1'])).toBe(0)
    expect(cache.stats()).toMatchObject({ decodeFailures: 1, misses: 1, hits: 0 })
    expect(logger.lines.map((line) => line.fields.code)).toEqual(['DECODE_FAILED'])
  })

  it('the valid entry above reads, even by a cache with compression off', async () => {
    const { cache, driver } = testCache({ prefix: 'ok' })
    await driver.set('ok:bundle:1', valid, { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
  })
})

describe('backward compatibility', () => {
  it('entries written before compression (@c1, with or without metadata) still read', async () => {
    const { cache, driver } = testCache({ prefix: 'old', compression: true })
    await driver.set('old:bundle:1', `@c1\n${largeJson}`, { ttlMs: 60_000 })
    await driver.set('old:bundle:2', `@c1 {"x":1}\n${largeJson}`, { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
    expect(await cache.get(bundleKey({ id: 2 }))).toEqual(large)
    expect(cache.stats().decodeFailures).toBe(0)
  })

  it('a reader from before compression takes a compressed entry for a corrupted one, never for data', async () => {
    // The envelope reader as it was released before compression (commit b7ad66d).
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    let source: string
    try {
      source = execFileSync('git', ['-C', root, 'show', 'b7ad66d:packages/core/src/encoding/envelope.ts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    } catch {
      return expect.fail('this test needs the repository history (commit b7ad66d)')
    }
    const dir = mkdtempSync(join(tmpdir(), 'cachette-old-envelope-'))
    try {
      writeFileSync(join(dir, 'envelope.ts'), source)
      const old = (await import(/* @vite-ignore */ join(dir, 'envelope.ts'))) as { decodeStringEnvelope(raw: string): unknown }
      const { cache, driver } = testCache({ prefix: 'new', compression: true })
      await cache.set(bundleKey({ id: 1 }), large)
      await cache.set(bundleKey({ id: 2 }), small)
      const compressed = (await driver.get('new:bundle:1')) as string
      expect(() => old.decodeStringEnvelope(compressed)).toThrow(/unsupported envelope version/)
      // Entries below the threshold are what the old reader always read.
      expect(old.decodeStringEnvelope((await driver.get('new:bundle:2')) as string)).toEqual({ meta: undefined, payload: JSON.stringify(small) })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('with tags, grace and shareValues', () => {
  it('metadata and compression travel together; invalidateTags still turns the entry into a miss', async () => {
    const { cache, driver } = testCache({ prefix: 'tag', compression: true })
    await cache.set(bundleKey({ id: 1 }), large, { tags: ['ej:7'] })
    const raw = (await driver.get('tag:bundle:1')) as string
    expect(Object.keys(metaOf(raw))).toEqual(['t', 'z', 'n', 'e'])
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
    await cache.invalidateTags(['ej:7'])
    expect(await cache.get(bundleKey({ id: 1 }))).toBeUndefined()
  })

  it('a stale compressed entry is replaced by the refresh (the fence compares the stored text)', async () => {
    const clock = createFakeClock()
    const { cache, driver } = testCache({ driver: memoryDriver({ clock }), clock, prefix: 'grace', ttl: '1m', grace: '1h', compression: true })
    await cache.getOrSet(bundleKey({ id: 1 }), () => large)
    // getOrSet waits for its write within its deadline; waitFor covers a slow thread pool.
    await vi.waitFor(async () => expect(metaOf(((await driver.get('grace:bundle:1')) as string | null) ?? '@c1 {}\n')).toMatchObject({ z: 'gzip', f: expect.any(Number) }))
    clock.advance(61_000)
    const fresh = bundle(301)
    expect(await cache.getOrSet(bundleKey({ id: 1 }), () => fresh)).toEqual(fresh)
    await vi.waitFor(async () => expect(await cache.get(bundleKey({ id: 1 }))).toEqual(fresh))
    expect(cache.stats()).toMatchObject({ fencedWrites: 0, compressedWrites: 2 })
  })

  it('shareValues: a repeated hit on an unchanged compressed entry decompresses nothing', async () => {
    const gzip = compressorFor('gzip')
    if (gzip === undefined) throw new Error('no gzip')
    const decompress = vi.spyOn(gzip, 'decompress')
    const { cache } = testCache({ prefix: 'share', compression: true, shareValues: true })
    await cache.set(bundleKey({ id: 1 }), large)
    const first = await cache.get(bundleKey({ id: 1 }))
    expect(await cache.get(bundleKey({ id: 1 }))).toBe(first)
    expect(decompress).toHaveBeenCalledTimes(1)
  })
})

describe("wire: 'plain'", () => {
  it('compression is off unless asked: a large value is exactly JSON.stringify(value)', async () => {
    const { cache, driver } = testCache({ prefix: 'p', wire: 'plain' })
    await cache.set(bundleKey({ id: 1 }), large)
    expect(await driver.get('p:bundle:1')).toBe(largeJson)
  })

  it("asked for, a text codec's value is gzip in base64, starting with H4sI: what another service decompresses", async () => {
    const { cache, driver } = testCache({ prefix: 'pz', wire: 'plain', compression: true })
    await cache.set(bundleKey({ id: 1 }), large)
    await cache.set(bundleKey({ id: 2 }), small)
    const raw = (await driver.get('pz:bundle:1')) as string
    expect(raw.startsWith('H4sI')).toBe(true)
    // Python: json.loads(gzip.decompress(base64.b64decode(raw)))
    expect(JSON.parse(gunzipSync(Buffer.from(raw, 'base64')).toString('utf8'))).toEqual(large)
    expect(await driver.get('pz:bundle:2')).toBe(JSON.stringify(small))
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
    expect(await cache.get(bundleKey({ id: 2 }))).toEqual(small)
  })

  it('reads what another service writes: gzip in base64, and plain JSON', async () => {
    const { cache, driver } = testCache({ prefix: 'pf', wire: 'plain', compression: true })
    await driver.set('pf:bundle:1', gzipSync(largeJson).toString('base64'), { ttlMs: 60_000 })
    await driver.set('pf:bundle:2', JSON.stringify(small), { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
    expect(await cache.get(bundleKey({ id: 2 }))).toEqual(small)
  })

  it('a bytes codec stores raw gzip (1F 8B), as gzip.compress() writes it', async () => {
    const { cache, driver } = testCache({ prefix: 'pb', wire: 'plain', codec: utf8Json, compression: true })
    await cache.set(bundleKey({ id: 1 }), large)
    const raw = (await driver.getBytes('pb:bundle:1')) as Uint8Array
    expect([...raw.subarray(0, 2)]).toEqual([0x1f, 0x8b])
    expect(gunzipSync(raw).toString('utf8')).toBe(largeJson)
    await driver.set('pb:bundle:2', gzipSync(JSON.stringify(small)), { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toEqual(large)
    expect(await cache.get(bundleKey({ id: 2 }))).toEqual(small)
  })

  it('a plain cache without compression does not decompress: gzip text is a corrupted entry there', async () => {
    const { cache, driver } = testCache({ prefix: 'pn', wire: 'plain', logger: { warn: () => undefined } })
    await driver.set('pn:bundle:1', gzipSync(largeJson).toString('base64'), { ttlMs: 60_000 })
    expect(await cache.get(bundleKey({ id: 1 }))).toBeUndefined()
    expect(cache.stats().decodeFailures).toBe(1)
  })
})

describe('the hit path of values below the threshold', () => {
  it('calls neither compress nor decompress, and stores the same bytes as without compression', async () => {
    const gzip = compressorFor('gzip')
    if (gzip === undefined) throw new Error('no gzip')
    const compress = vi.spyOn(gzip, 'compress')
    const decompress = vi.spyOn(gzip, 'decompress')
    const on = testCache({ prefix: 'hp', compression: true })
    const off = testCache({ prefix: 'hp' })
    for (let id = 0; id < 5; id++) {
      await on.cache.set(bundleKey({ id }), small)
      await on.cache.getOrSet(bundleKey({ id: id + 100 }), () => small)
      expect(await on.cache.get(bundleKey({ id }))).toEqual(small)
      expect(await on.cache.getOrSet(bundleKey({ id: id + 100 }), () => large)).toEqual(small)
    }
    expect(compress).not.toHaveBeenCalled()
    expect(decompress).not.toHaveBeenCalled()
    await off.cache.set(bundleKey({ id: 0 }), small)
    expect(await on.driver.get('hp:bundle:0')).toBe(await off.driver.get('hp:bundle:0'))

    await on.cache.set(bundleKey({ id: 9 }), large)
    expect(await on.cache.get(bundleKey({ id: 9 }))).toEqual(large)
    expect(compress).toHaveBeenCalledTimes(1)
    expect(decompress).toHaveBeenCalledTimes(1)
  })

})

describe('a compressor failure', () => {
  it('stores the value uncompressed and says so', async () => {
    const gzip = compressorFor('gzip')
    if (gzip === undefined) throw new Error('no gzip')
    vi.spyOn(gzip, 'compress').mockRejectedValue(new Error('zlib exploded'))
    const { cache, driver, logger } = testCache({ prefix: 'cf', compression: true })
    expect(await cache.set(bundleKey({ id: 1 }), large)).toBe(true)
    expect(await driver.get('cf:bundle:1')).toBe(`@c1\n${largeJson}`)
    expect(logger.lines.map((line) => line.message)).toEqual(['[@cachette/core] a value could not be compressed; it was stored uncompressed'])
  })
})
