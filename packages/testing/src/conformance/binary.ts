import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

const encoder = new TextEncoder()

/** Byte values (`Uint8Array`) round-trip exactly. Registered when `capabilities.binary`. */
export function registerBinaryTests(context: ConformanceContext): void {
  describe('binary values', () => {
    const driver = useDriver(context)

    it('round-trips all 256 byte values', async () => {
      const p = freshPrefix()
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256)
      expect(await driver().set(`${p}b`, bytes)).toBe(true)
      expect(await driver().getBytes(`${p}b`)).toEqual(bytes)
    })

    it('round-trips bytes that are not valid UTF-8', async () => {
      const p = freshPrefix()
      const samples = [
        [0xff],
        [0xc3],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xf0, 0x9f, 0x98],
        [0x00, 0xfe, 0x00, 0xff],
        [0xc0, 0xaf],
      ]
      for (const [i, sample] of samples.entries()) {
        const bytes = Uint8Array.from(sample)
        await driver().set(`${p}${i}`, bytes)
        expect(await driver().getBytes(`${p}${i}`), `sample ${i}`).toEqual(bytes)
      }
    })

    it('round-trips an empty value as empty bytes, not null', async () => {
      const p = freshPrefix()
      await driver().set(`${p}b`, new Uint8Array(0))
      expect(await driver().getBytes(`${p}b`)).toEqual(new Uint8Array(0))
      expect(await driver().get(`${p}b`)).toBe('')
    })

    it('getBytes of a missing key is null', async () => {
      const p = freshPrefix()
      expect(await driver().getBytes(`${p}none`)).toBeNull()
    })

    it('get decodes stored UTF-8 bytes and getBytes encodes a stored string', async () => {
      const p = freshPrefix()
      await driver().set(`${p}bytes`, encoder.encode('café 😀'))
      expect(await driver().get(`${p}bytes`)).toBe('café 😀')
      await driver().set(`${p}text`, 'naïve 😀')
      expect(await driver().getBytes(`${p}text`)).toEqual(encoder.encode('naïve 😀'))
    })

    it('changing the caller\'s array after set or after getBytes never changes the stored value', async () => {
      const p = freshPrefix()
      const bytes = Uint8Array.from([1, 2, 3])
      await driver().set(`${p}b`, bytes)
      bytes[0] = 99
      const read = (await driver().getBytes(`${p}b`)) as Uint8Array
      expect(read).toEqual(Uint8Array.from([1, 2, 3]))
      read[1] = 99
      expect(await driver().getBytes(`${p}b`)).toEqual(Uint8Array.from([1, 2, 3]))
    })

    it('a batch set stores bytes exactly', async () => {
      const p = freshPrefix()
      const bytes = Uint8Array.from([0xff, 0x00, 0x80])
      await driver().batch([{ op: 'set', key: `${p}b`, value: bytes }])
      expect(await driver().getBytes(`${p}b`)).toEqual(bytes)
    })
  })
}
