import { describe, expect, it } from 'vitest'
import { expectCode, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** SADD / SREM / SMEMBERS, as redis-server answers them. */
export function registerSetTests(context: ConformanceContext): void {
  describe('sets', () => {
    const driver = useDriver(context)
    const members = async (key: string): Promise<string[]> => (await driver().smembers(key)).sort()

    it('smembers of a missing key is []', async () => {
      const p = freshPrefix()
      expect(await driver().smembers(`${p}none`)).toEqual([])
    })

    it('sadd counts new members only, a repeated member once', async () => {
      const p = freshPrefix()
      expect(await driver().sadd(`${p}s`, ['a', 'b', 'a'])).toBe(2)
      expect(await driver().sadd(`${p}s`, ['b', 'c'])).toBe(1)
      expect(await members(`${p}s`)).toEqual(['a', 'b', 'c'])
    })

    it('keeps members exactly (empty, unicode, NUL)', async () => {
      const p = freshPrefix()
      const values = ['', 'é', 'e\u0301', '😀', 'a\u0000b']
      expect(await driver().sadd(`${p}s`, values)).toBe(5)
      expect(await members(`${p}s`)).toEqual([...values].sort())
    })

    it('srem counts members that existed and the key goes with its last member', async () => {
      const p = freshPrefix()
      await driver().sadd(`${p}s`, ['a', 'b'])
      expect(await driver().srem(`${p}s`, ['a', 'none', 'a'])).toBe(1)
      expect(await members(`${p}s`)).toEqual(['b'])
      expect(await driver().srem(`${p}s`, ['b'])).toBe(1)
      if (context.capabilities.inspection) expect(await driver().exists([`${p}s`])).toBe(0)
      expect(await driver().srem(`${p}s`, ['b'])).toBe(0)
    })

    it(
      context.quirks.noWrongTypeErrors
        ? 'set commands on a string fail as plain errors or read its characters (quirk: noWrongTypeErrors)'
        : 'every set command on a string rejects with WRONG_TYPE',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}k`, 'v')
        if (context.quirks.noWrongTypeErrors) {
          await expectCode(driver().sadd(`${p}k`, ['a']), 'DRIVER_FAILURE')
          await expectCode(driver().srem(`${p}k`, ['a']), 'DRIVER_FAILURE')
          // The string read as an iterable: its characters.
          expect(await driver().smembers(`${p}k`)).toEqual(['v'])
          expect(await driver().get(`${p}k`)).toBe('v')
          return
        }
        await expectCode(driver().sadd(`${p}k`, ['a']), 'WRONG_TYPE')
        await expectCode(driver().srem(`${p}k`, ['a']), 'WRONG_TYPE')
        await expectCode(driver().smembers(`${p}k`), 'WRONG_TYPE')
        expect(await driver().get(`${p}k`)).toBe('v')
      },
    )
  })
}
