import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** Strings that must come back exactly. Lone surrogates are left out: they are not valid UTF-8. */
const SAMPLES: readonly (readonly [name: string, value: string])[] = [
  ['empty string', ''],
  ['NUL characters', 'a\u0000b\u0000'],
  ['control characters', '\t\r\n\u0001\u001f\u007f'],
  ['accents', 'Hôpital Nord-Est, référent: Zoé'],
  ['combining characters', 'e\u0301 a\u0308 n\u0303'],
  ['emoji and ZWJ sequences', '😀👨‍👩‍👧‍👦👍🏽'],
  ['non-Latin scripts', '日本語 العربية עברית Ελληνικά'],
  ['the last BMP and first astral code points', '\uffff\u{10000}\u{10ffff}'],
  ['JSON text', '{"id":42,"name":"Zoé","tags":["a","b"]}'],
]

/** UTF-8 strings round-trip exactly, as values and as keys. */
export function registerUnicodeTests(context: ConformanceContext): void {
  describe('utf-8 strings', () => {
    const driver = useDriver(context)

    it.each(SAMPLES)('round-trips %s', async (_name, value) => {
      const p = freshPrefix()
      await driver().set(`${p}k`, value)
      expect(await driver().get(`${p}k`)).toBe(value)
      expect(await driver().mget([`${p}k`])).toEqual([value])
    })

    it('round-trips a 1 MB string of mixed-width characters', async () => {
      const p = freshPrefix()
      const value = 'aé€😀'.repeat(100_000)
      await driver().set(`${p}big`, value)
      expect((await driver().get(`${p}big`)) === value).toBe(true)
    })

    it('accepts unicode keys, distinct per normalization form', async () => {
      const p = freshPrefix()
      await driver().set(`${p}café`, 'composed')
      await driver().set(`${p}cafe\u0301`, 'decomposed')
      await driver().set(`${p}😀`, 'emoji')
      expect(await driver().mget([`${p}café`, `${p}cafe\u0301`, `${p}😀`])).toEqual(['composed', 'decomposed', 'emoji'])
    })
  })
}
