import { describe, expect, it } from 'vitest'
import { expectCode, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** HSET / HGETALL / HDEL / HINCRBY, as redis-server answers them. */
export function registerHashTests(context: ConformanceContext): void {
  const { quirks } = context

  describe('hashes', () => {
    const driver = useDriver(context)

    it('hgetall of a missing key is {}', async () => {
      const p = freshPrefix()
      expect(await driver().hgetall(`${p}none`)).toEqual({})
    })

    it('hset counts new fields only and overwrites existing ones', async () => {
      const p = freshPrefix()
      expect(await driver().hset(`${p}h`, { a: '1', b: '2' })).toBe(2)
      expect(await driver().hset(`${p}h`, { b: '20', c: '3' })).toBe(1)
      expect(await driver().hgetall(`${p}h`)).toEqual({ a: '1', b: '20', c: '3' })
    })

    it('keeps field names and values exactly (empty, unicode, NUL)', async () => {
      const p = freshPrefix()
      const fields = { '': 'empty name', 'clé': 'café ☕', 'nul\u0000name': 'v\u0000v', emoji: '😀👍🏽', empty: '' }
      await driver().hset(`${p}h`, fields)
      expect(await driver().hgetall(`${p}h`)).toEqual(fields)
    })

    it('hdel counts fields that existed and the key goes with its last field', async () => {
      const p = freshPrefix()
      await driver().hset(`${p}h`, { a: '1', b: '2' })
      expect(await driver().hdel(`${p}h`, ['a', 'none', 'a'])).toBe(1)
      expect(await driver().hgetall(`${p}h`)).toEqual({ b: '2' })
      expect(await driver().hdel(`${p}h`, ['b'])).toBe(1)
      if (context.capabilities.inspection) expect(await driver().exists([`${p}h`])).toBe(0)
      expect(await driver().hdel(`${p}h`, ['b'])).toBe(0)
    })

    it('hincrby creates the key and the field, then adds', async () => {
      const p = freshPrefix()
      expect(await driver().hincrby(`${p}h`, 'n', 3)).toBe(3)
      expect(await driver().hincrby(`${p}h`, 'n', -10)).toBe(-7)
      expect(await driver().hgetall(`${p}h`)).toEqual({ n: '-7' })
    })

    it(
      quirks.looseIntegerIncrements
        ? 'hincrby reads a field as a JS number and adds in doubles (quirk: looseIntegerIncrements)'
        : 'hincrby refuses a non-integer field and an overflow with NOT_INTEGER',
      async () => {
        const p = freshPrefix()
        const stored = { text: 'abc', float: '1.0', big: '9223372036854775807' }
        await driver().hset(`${p}h`, stored)
        if (quirks.looseIntegerIncrements) {
          for (const [field, text] of Object.entries(stored)) expect(await driver().hincrby(`${p}h`, field, 1)).toBe(Number(text) + 1)
          // Each sum stored as its JS text: NaN, 2, and 2^63 as the nearest double prints it.
          expect(await driver().hgetall(`${p}h`)).toEqual({ text: 'NaN', float: '2', big: String(2 ** 63) })
          return
        }
        await expectCode(driver().hincrby(`${p}h`, 'text', 1), 'NOT_INTEGER')
        await expectCode(driver().hincrby(`${p}h`, 'float', 1), 'NOT_INTEGER')
        await expectCode(driver().hincrby(`${p}h`, 'big', 1), 'NOT_INTEGER')
        expect(await driver().hgetall(`${p}h`)).toEqual(stored)
      },
    )

    it(
      quirks.noWrongTypeErrors
        ? 'every hash command on a string resolves and changes nothing (quirk: noWrongTypeErrors)'
        : 'every hash command on a string rejects with WRONG_TYPE and changes nothing',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}s`, 'v')
        if (quirks.noWrongTypeErrors) {
          expect(await driver().hset(`${p}s`, { f: 'v' })).toBe(1)
          // The string read as an object: its characters by index.
          expect(await driver().hgetall(`${p}s`)).toEqual({ 0: 'v' })
          expect(await driver().hdel(`${p}s`, ['f'])).toBe(0)
          expect(await driver().hincrby(`${p}s`, 'f', 1)).toBe(Number.NaN)
          expect(await driver().get(`${p}s`)).toBe('v')
          return
        }
        await expectCode(driver().hset(`${p}s`, { f: 'v' }), 'WRONG_TYPE')
        await expectCode(driver().hgetall(`${p}s`), 'WRONG_TYPE')
        await expectCode(driver().hdel(`${p}s`, ['f']), 'WRONG_TYPE')
        await expectCode(driver().hincrby(`${p}s`, 'f', 1), 'WRONG_TYPE')
        expect(await driver().get(`${p}s`)).toBe('v')
      },
    )
  })
}
