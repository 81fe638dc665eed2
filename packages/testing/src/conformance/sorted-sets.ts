import { describe, expect, it } from 'vitest'
import type { ScoreBound, SortedSetEntry } from '@cachette/core'
import { compareUtf8 } from './compare-utf8.js'
import { expectCode, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

const FIVE: readonly SortedSetEntry[] = [
  { member: 'e', score: 5 },
  { member: 'a', score: 1 },
  { member: 'c', score: 3 },
  { member: 'b', score: 2 },
  { member: 'd', score: 4 },
]

const names = (entries: readonly SortedSetEntry[]): string[] => entries.map((entry) => entry.member)

/** ZADD / ZRANGE BYSCORE [REV] [LIMIT] / ZREM / ZCARD / ZREMRANGEBYSCORE, as redis-server. */
export function registerSortedSetTests(context: ConformanceContext): void {
  const { quirks } = context

  describe('sorted sets', () => {
    const driver = useDriver(context)

    it('zadd counts new members; an existing member takes the new score', async () => {
      const p = freshPrefix()
      expect(await driver().zadd(`${p}z`, [{ member: 'a', score: 1 }, { member: 'b', score: 2 }])).toBe(2)
      expect(await driver().zadd(`${p}z`, [{ member: 'a', score: 3 }, { member: 'c', score: 0 }])).toBe(1)
      expect(await driver().zcard(`${p}z`)).toBe(3)
      expect(await driver().zrangeByScore(`${p}z`, '-inf', '+inf')).toEqual([
        { member: 'c', score: 0 },
        { member: 'b', score: 2 },
        { member: 'a', score: 3 },
      ])
    })

    it(
      quirks.utf16MemberOrder ? 'orders equal scores by the members\' UTF-16 code units (quirk: utf16MemberOrder)' : 'orders equal scores by the members\' UTF-8 bytes',
      async () => {
        const p = freshPrefix()
        // '\uFFFF' sorts before '😀' in bytes (EF.. < F0..) but after it in UTF-16 units.
        const members = ['b', 'a', 'B', 'aa', '', 'é', 'e\u0301', 'z', '😀', '\uFFFF', 'a\u0000', '10', '9']
        await driver().zadd(`${p}z`, members.map((member) => ({ member, score: 7 })))
        // JS sort() without a comparator orders by UTF-16 code units.
        const expected = quirks.utf16MemberOrder ? [...members].sort() : [...members].sort(compareUtf8)
        expect(names(await driver().zrangeByScore(`${p}z`, 7, 7))).toEqual(expected)
        expect(names(await driver().zrangeByScore(`${p}z`, 7, 7, { reverse: true }))).toEqual([...expected].reverse())
      },
    )

    it('keeps scores exactly: negative, fractional, tiny and large', async () => {
      const p = freshPrefix()
      const entries = [
        { member: 'neg', score: -2.5 },
        { member: 'tenth', score: 0.1 },
        { member: 'tiny', score: 1e-7 },
        { member: 'third', score: 1 / 3 },
        { member: 'big', score: 2 ** 53 },
        { member: 'huge', score: 1.5e300 },
      ]
      await driver().zadd(`${p}z`, entries)
      const expected = [...entries].sort((x, y) => x.score - y.score)
      expect(await driver().zrangeByScore(`${p}z`, '-inf', '+inf')).toEqual(expected)
    })

    it('bounds are inclusive, exclusive with { exclusive }, open with -inf / +inf', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, FIVE)
      const range = async (min: ScoreBound, max: ScoreBound) => names(await driver().zrangeByScore(`${p}z`, min, max))
      expect(await range(2, 4)).toEqual(['b', 'c', 'd'])
      expect(await range({ exclusive: 2 }, 4)).toEqual(['c', 'd'])
      expect(await range(2, { exclusive: 4 })).toEqual(['b', 'c'])
      expect(await range({ exclusive: 2 }, { exclusive: 4 })).toEqual(['c'])
      expect(await range({ exclusive: 3 }, { exclusive: 3 })).toEqual([])
      expect(await range('-inf', 2)).toEqual(['a', 'b'])
      expect(await range(4, '+inf')).toEqual(['d', 'e'])
      expect(await range(4, 2)).toEqual([])
      // With truncatedScoreBounds the store reads these bounds as 2 and 3.
      expect(await range(2.5, 3.5)).toEqual(quirks.truncatedScoreBounds ? ['b', 'c'] : ['c'])
    })

    it('reverse orders from high to low with min still the lower bound', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, FIVE)
      expect(await driver().zrangeByScore(`${p}z`, 2, 4, { reverse: true })).toEqual([
        { member: 'd', score: 4 },
        { member: 'c', score: 3 },
        { member: 'b', score: 2 },
      ])
      expect(names(await driver().zrangeByScore(`${p}z`, { exclusive: 1 }, { exclusive: 5 }, { reverse: true }))).toEqual(['d', 'c', 'b'])
    })

    it('offset and limit page forward and backward as ZRANGE ... LIMIT', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, FIVE)
      const page = async (reverse: boolean, offset: number, limit?: number) =>
        names(await driver().zrangeByScore(`${p}z`, 2, '+inf', limit === undefined ? { reverse, offset } : { reverse, offset, limit }))
      expect(await page(false, 1, 2)).toEqual(['c', 'd'])
      expect(await page(true, 1, 2)).toEqual(['d', 'c'])
      expect(await page(true, 0, 1)).toEqual(['e'])
      expect(await page(false, 3)).toEqual(['e'])
      expect(await page(true, 3)).toEqual(['b'])
      expect(await page(false, 2, 10)).toEqual(['d', 'e'])
      expect(await page(false, 4, 1)).toEqual([])
      expect(await page(true, 0, 0)).toEqual([])
      expect(await page(false, 0, 0)).toEqual([])
      // Redis: a negative offset selects nothing. With sliceLimitOffset: slice(-1), the last member.
      expect(await page(false, -1)).toEqual(quirks.sliceLimitOffset ? ['e'] : [])
    })

    it('pages through equal scores in member order', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, ['m4', 'm1', 'm3', 'm2', 'm0'].map((member) => ({ member, score: 1 })))
      expect(names(await driver().zrangeByScore(`${p}z`, 1, 1, { offset: 1, limit: 2 }))).toEqual(['m1', 'm2'])
      expect(names(await driver().zrangeByScore(`${p}z`, 1, 1, { reverse: true, offset: 1, limit: 2 }))).toEqual(['m3', 'm2'])
    })

    it('zrem counts members that existed and the key goes with its last member', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, [{ member: 'a', score: 1 }, { member: 'b', score: 2 }])
      expect(await driver().zrem(`${p}z`, ['a', 'none', 'a'])).toBe(1)
      expect(await driver().zcard(`${p}z`)).toBe(1)
      expect(await driver().zrem(`${p}z`, ['b'])).toBe(1)
      if (context.capabilities.inspection) expect(await driver().exists([`${p}z`])).toBe(quirks.keepsEmptySortedSets ? 1 : 0)
      expect(await driver().zcard(`${p}z`)).toBe(0)
      expect(await driver().zrangeByScore(`${p}z`, '-inf', '+inf')).toEqual([])
    })

    it('zremRangeByScore removes the members within the bounds', async () => {
      const p = freshPrefix()
      await driver().zadd(`${p}z`, FIVE)
      expect(await driver().zremRangeByScore(`${p}z`, { exclusive: 1 }, 3)).toBe(2)
      expect(names(await driver().zrangeByScore(`${p}z`, '-inf', '+inf'))).toEqual(['a', 'd', 'e'])
      expect(await driver().zremRangeByScore(`${p}z`, 10, 20)).toBe(0)
      expect(await driver().zremRangeByScore(`${p}z`, '-inf', '+inf')).toBe(3)
      if (context.capabilities.inspection) expect(await driver().exists([`${p}z`])).toBe(quirks.keepsEmptySortedSets ? 1 : 0)
      expect(await driver().zcard(`${p}z`)).toBe(0)
      expect(await driver().zremRangeByScore(`${p}z`, '-inf', '+inf')).toBe(0)
    })

    it('reading a missing sorted set gives [] and 0', async () => {
      const p = freshPrefix()
      expect(await driver().zrangeByScore(`${p}none`, '-inf', '+inf')).toEqual([])
      expect(await driver().zcard(`${p}none`)).toBe(0)
      expect(await driver().zrem(`${p}none`, ['a'])).toBe(0)
    })

    it(
      quirks.noWrongTypeErrors
        ? 'every sorted-set command on a string rejects, as a plain failure (quirk: noWrongTypeErrors)'
        : 'every sorted-set command on a string rejects with WRONG_TYPE',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}k`, 'v')
        // Without a WRONGTYPE reply the driver can only report a failure.
        const code = quirks.noWrongTypeErrors ? 'DRIVER_FAILURE' : 'WRONG_TYPE'
        await expectCode(driver().zadd(`${p}k`, [{ member: 'a', score: 1 }]), code)
        await expectCode(driver().zrangeByScore(`${p}k`, '-inf', '+inf'), code)
        await expectCode(driver().zrem(`${p}k`, ['a']), code)
        await expectCode(driver().zcard(`${p}k`), code)
        await expectCode(driver().zremRangeByScore(`${p}k`, '-inf', '+inf'), code)
        expect(await driver().get(`${p}k`)).toBe('v')
      },
    )
  })
}
