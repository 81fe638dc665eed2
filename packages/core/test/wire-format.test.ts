import { describe, expect, it } from 'vitest'
import { defineKey, memoryDriver, type BytesCodec } from '../src/index.js'
import { testCache } from './support/cache.js'

describe('stored entries, byte for byte (docs/wire-format.md)', () => {
  it('an untagged JSON entry is "@c1" LF then the JSON', async () => {
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'identity' })
    await cache.set(defineKey('patient:{id}')({ id: 42 }), { id: 42, nom: 'KOUADIO' })
    expect(await driver.get('identity:patient:42')).toBe('@c1\n{"id":42,"nom":"KOUADIO"}')
  })

  it('a tagged entry carries its tag tokens in a one-line metadata header', async () => {
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'app' })
    await cache.set('list:1', [1, 2], { tags: ['tenant:7', 'fmpa'] })
    const raw = (await driver.get('app:list:1')) as string
    const token7 = await driver.get('app:cachette:tag:tenant:7')
    const tokenFmpa = await driver.get('app:cachette:tag:fmpa')
    expect(raw).toBe(`@c1 {"t":{"tenant:7":"${token7}","fmpa":"${tokenFmpa}"}}\n[1,2]`)
  })

  it('reads entries written by hand in the documented format', async () => {
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'x' })
    await driver.set('x:a', '@c1\n"line one\\nline two"')
    await driver.set('x:b', '@c1 {}\n{"ok":true}')
    expect(await cache.get('a')).toBe('line one\nline two')
    expect(await cache.get('b')).toEqual({ ok: true })
  })

  it('keeps newlines and non-ASCII text inside values and tags intact', async () => {
    const { cache } = testCache()
    await cache.set('k', { text: 'a\nb\u0000c é 😀' }, { tags: ['établissement:1'] })
    expect(await cache.get('k')).toEqual({ text: 'a\nb\u0000c é 😀' })
  })

  it('a bytes codec gets the same header followed by its raw bytes', async () => {
    const raw: BytesCodec<Uint8Array> = { name: 'raw', format: 'bytes', encode: (value) => value, decode: (payload) => payload.slice() }
    const blobKey = defineKey('blob:{id}', { codec: raw })
    const driver = memoryDriver()
    const { cache } = testCache({ driver, prefix: 'b' })
    const payload = new Uint8Array([0x00, 0x0a, 0xff, 0x40])
    await cache.set(blobKey({ id: 1 }), payload)
    expect([...((await driver.getBytes('b:blob:1')) as Uint8Array)]).toEqual([0x40, 0x63, 0x31, 0x0a, 0x00, 0x0a, 0xff, 0x40])
    expect([...((await cache.get(blobKey({ id: 1 }))) as Uint8Array)]).toEqual([...payload])
    await cache.set(blobKey({ id: 2 }), payload, { tags: ['t'] })
    const stored = (await driver.getBytes('b:blob:2')) as Uint8Array
    const header = new TextDecoder().decode(stored.subarray(0, stored.indexOf(0x0a) + 1))
    expect(header).toMatch(/^@c1 \{"t":\{"t":"[A-Za-z0-9_-]{22}"\}\}\n$/)
    expect([...((await cache.get(blobKey({ id: 2 }))) as Uint8Array)]).toEqual([...payload])
  })
})
