import { describe, expect, it } from 'vitest'
import { expectCode, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** What INCRBY gives on a store with the `looseIntegerIncrements` quirk: JS `Number()` plus a double addition. */
const looseSum = (stored: string, by: number): number => Number(stored) + by

/** GET / SET / MGET / DEL / EXISTS / INCRBY, as redis-server answers them. */
export function registerStringTests(context: ConformanceContext): void {
  const { quirks } = context

  describe('strings', () => {
    const driver = useDriver(context)

    it('reads a missing key as null', async () => {
      const p = freshPrefix()
      expect(await driver().get(`${p}missing`)).toBeNull()
    })

    it('sets, reads and overwrites a value', async () => {
      const p = freshPrefix()
      expect(await driver().set(`${p}k`, 'first')).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('first')
      expect(await driver().set(`${p}k`, 'second')).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('second')
    })

    it('keeps a numeric-looking value a string', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, '123')
      await driver().set(`${p}z`, '007')
      expect(await driver().get(`${p}k`)).toBe('123')
      expect(await driver().get(`${p}z`)).toBe('007')
    })

    it('set NX writes only when the key is absent', async () => {
      const p = freshPrefix()
      expect(await driver().set(`${p}k`, 'a', { condition: 'nx' })).toBe(true)
      expect(await driver().set(`${p}k`, 'b', { condition: 'nx' })).toBe(false)
      expect(await driver().get(`${p}k`)).toBe('a')
    })

    it('set XX writes only when the key exists', async () => {
      const p = freshPrefix()
      expect(await driver().set(`${p}k`, 'a', { condition: 'xx' })).toBe(false)
      expect(await driver().get(`${p}k`)).toBeNull()
      await driver().set(`${p}k`, 'a')
      expect(await driver().set(`${p}k`, 'b', { condition: 'xx' })).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('b')
    })

    it('mget returns values in order with null for missing keys and repeats', async () => {
      const p = freshPrefix()
      await driver().set(`${p}a`, '1')
      await driver().set(`${p}b`, '2')
      expect(await driver().mget([`${p}b`, `${p}none`, `${p}a`, `${p}b`])).toEqual(['2', null, '1', '2'])
    })

    it('delete counts the keys that existed, a repeated key once', async () => {
      const p = freshPrefix()
      await driver().set(`${p}a`, '1')
      await driver().set(`${p}b`, '2')
      expect(await driver().delete([`${p}a`, `${p}a`, `${p}none`, `${p}b`])).toBe(2)
      expect(await driver().mget([`${p}a`, `${p}b`])).toEqual([null, null])
      expect(await driver().delete([`${p}a`])).toBe(0)
    })

    it('delete of an empty list resolves 0', async () => {
      expect(await driver().delete([])).toBe(0)
    })

    if (context.capabilities.inspection) it('exists counts a key named twice twice', async () => {
      const p = freshPrefix()
      await driver().set(`${p}a`, '1')
      expect(await driver().exists([`${p}a`, `${p}a`, `${p}none`])).toBe(2)
      expect(await driver().exists([`${p}none`])).toBe(0)
    })

    if (context.capabilities.counters) it('incrby creates the key, adds, and subtracts', async () => {
      const p = freshPrefix()
      expect(await driver().incrby(`${p}n`, 5)).toBe(5)
      expect(await driver().incrby(`${p}n`, -7)).toBe(-2)
      expect(await driver().get(`${p}n`)).toBe('-2')
      await driver().set(`${p}m`, '10')
      expect(await driver().incrby(`${p}m`, 1)).toBe(11)
    })

    if (context.capabilities.counters) it.each(['abc', '1.5', ' 1', '1 ', '+1', '01', '-0', '', '1e3', '99999999999999999999'])(
      quirks.looseIntegerIncrements
        ? 'incrby reads the stored value %j as a JS number and stores the sum (quirk: looseIntegerIncrements)'
        : 'incrby refuses the stored value %j with NOT_INTEGER and leaves it unchanged',
      async (stored) => {
        const p = freshPrefix()
        await driver().set(`${p}n`, stored)
        if (quirks.looseIntegerIncrements) {
          expect(await driver().incrby(`${p}n`, 1)).toBe(looseSum(stored, 1))
          expect(await driver().get(`${p}n`)).toBe(String(looseSum(stored, 1)))
          return
        }
        await expectCode(driver().incrby(`${p}n`, 1), 'NOT_INTEGER')
        expect(await driver().get(`${p}n`)).toBe(stored)
      },
    )

    if (context.capabilities.counters) it(
      quirks.looseIntegerIncrements
        ? 'incrby goes past the signed 64-bit limits in doubles, both ways (quirk: looseIntegerIncrements)'
        : 'incrby refuses to overflow a signed 64-bit integer, both ways',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}max`, '9223372036854775807')
        await driver().set(`${p}min`, '-9223372036854775808')
        if (quirks.looseIntegerIncrements) {
          // 2^63 and -2^63 - 1 as doubles: '9223372036854776000' and '-9223372036854776000'.
          expect(await driver().incrby(`${p}max`, 1)).toBe(looseSum('9223372036854775807', 1))
          expect(await driver().get(`${p}max`)).toBe(String(looseSum('9223372036854775807', 1)))
          expect(await driver().incrby(`${p}min`, -1)).toBe(looseSum('-9223372036854775808', -1))
          expect(await driver().get(`${p}min`)).toBe(String(looseSum('-9223372036854775808', -1)))
          return
        }
        await expectCode(driver().incrby(`${p}max`, 1), 'NOT_INTEGER')
        expect(await driver().get(`${p}max`)).toBe('9223372036854775807')
        await expectCode(driver().incrby(`${p}min`, -1), 'NOT_INTEGER')
        expect(await driver().get(`${p}min`)).toBe('-9223372036854775808')
      },
    )

    if (context.capabilities.counters) it(
      quirks.looseIntegerIncrements
        ? 'incrby rounds integers beyond 2^53 to the nearest double in the store (quirk: looseIntegerIncrements)'
        : 'incrby keeps integers beyond 2^53 exact in the store',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}n`, '9223372036854775806')
        await driver().incrby(`${p}n`, 1)
        expect(await driver().get(`${p}n`)).toBe(quirks.looseIntegerIncrements ? String(looseSum('9223372036854775806', 1)) : '9223372036854775807')
      },
    )

    if (context.capabilities.hashes) {
      it('set replaces a value of another type', async () => {
        const p = freshPrefix()
        await driver().hset(`${p}k`, { f: 'v' })
        expect(await driver().set(`${p}k`, 'plain')).toBe(true)
        expect(await driver().get(`${p}k`)).toBe('plain')
      })

      it('set NX fails on a key of another type without changing it', async () => {
        const p = freshPrefix()
        await driver().hset(`${p}k`, { f: 'v' })
        expect(await driver().set(`${p}k`, 'plain', { condition: 'nx' })).toBe(false)
        expect(await driver().hgetall(`${p}k`)).toEqual({ f: 'v' })
      })

      it(
        quirks.noWrongTypeErrors
          ? 'get and getBytes on a hash resolve the hash, incrby turns it into NaN (quirk: noWrongTypeErrors)'
          : 'get and incrby on a hash reject with WRONG_TYPE',
        async () => {
          const p = freshPrefix()
          await driver().hset(`${p}h`, { f: '1' })
          if (quirks.noWrongTypeErrors) {
            expect(await driver().get(`${p}h`)).toEqual({ f: '1' })
            if (context.capabilities.binary) expect(await driver().getBytes(`${p}h`)).toEqual(new Uint8Array(0))
            if (!context.capabilities.counters) return
            expect(await driver().incrby(`${p}h`, 1)).toBe(Number.NaN)
            expect(await driver().get(`${p}h`)).toBe('NaN')
            return
          }
          await expectCode(driver().get(`${p}h`), 'WRONG_TYPE')
          if (context.capabilities.counters) await expectCode(driver().incrby(`${p}h`, 1), 'WRONG_TYPE')
          if (context.capabilities.binary) await expectCode(driver().getBytes(`${p}h`), 'WRONG_TYPE')
        },
      )

      it(
        quirks.noWrongTypeErrors
          ? 'mget reads a hash as the hash itself, without an error (quirk: noWrongTypeErrors)'
          : 'mget reads a key of another type as null, without an error',
        async () => {
          const p = freshPrefix()
          await driver().hset(`${p}h`, { f: '1' })
          await driver().set(`${p}s`, 'x')
          expect(await driver().mget([`${p}h`, `${p}s`])).toEqual([quirks.noWrongTypeErrors ? { f: '1' } : null, 'x'])
        },
      )

      it('delete and exists work on every type', async () => {
        const p = freshPrefix()
        await driver().hset(`${p}h`, { f: '1' })
        if (context.capabilities.inspection) expect(await driver().exists([`${p}h`])).toBe(1)
        expect(await driver().delete([`${p}h`])).toBe(1)
        expect(await driver().hgetall(`${p}h`)).toEqual({})
      })
    }
  })
}
