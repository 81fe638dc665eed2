import { describe, expect, it } from 'vitest'
import { expectRejection, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000
/** Slack for real servers, where time passes between two commands. Unused with an exact clock. */
const SLACK_MS = 5_000

/** PX, PTTL, PEXPIRE and how each command treats an existing TTL, as redis-server does. */
export function registerTtlTests(context: ConformanceContext): void {
  const { advanceTime, exactTime } = context
  /** Time to wait so that a TTL of `ttlMs` has surely passed. */
  const pastTtl = (ttlMs: number): number => (exactTime ? ttlMs + 1 : ttlMs + 60)

  describe('ttl', () => {
    const driver = useDriver(context)
    // Without pttl (no InspectionCommands), TTLs are checked by letting them expire.
    const { counters, inspection } = context.capabilities

    /** Asserts the remaining TTL: exact on a fake clock, within the slack on a real server. */
    async function expectPttl(key: string, ttlMs: number): Promise<void> {
      const remaining = await driver().pttl(key)
      if (exactTime) expect(remaining).toBe(ttlMs)
      else {
        expect(remaining).toBeLessThanOrEqual(ttlMs)
        expect(remaining).toBeGreaterThan(ttlMs - SLACK_MS)
      }
    }

    if (inspection) it('pttl is -2 for a missing key and -1 for a key without TTL', async () => {
      const p = freshPrefix()
      expect(await driver().pttl(`${p}none`)).toBe(-2)
      await driver().set(`${p}k`, 'v')
      expect(await driver().pttl(`${p}k`)).toBe(-1)
    })

    if (inspection) it('set with ttlMs reports the remaining time in milliseconds, never rounded to seconds', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'v', { ttlMs: 60_123 })
      await expectPttl(`${p}k`, 60_123)
    })

    it('a key disappears once its TTL has passed', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'v', { ttlMs: 100 })
      await driver().set(`${p}keep`, 'v')
      await advanceTime(pastTtl(100))
      expect(await driver().get(`${p}k`)).toBeNull()
      if (inspection) expect(await driver().pttl(`${p}k`)).toBe(-2)
      if (inspection) expect(await driver().exists([`${p}k`, `${p}keep`])).toBe(1)
      expect(await driver().mget([`${p}k`, `${p}keep`])).toEqual([null, 'v'])
      expect(await driver().delete([`${p}k`])).toBe(0)
    })

    it('a 1 ms TTL expires', async () => {
      const p = freshPrefix()
      expect(await driver().set(`${p}k`, 'v', { ttlMs: 1 })).toBe(true)
      await advanceTime(pastTtl(1))
      expect(await driver().get(`${p}k`)).toBeNull()
    })

    if (exactTime) {
      it('a key lives up to and including its expiry millisecond (Redis expires when now > deadline)', async () => {
        const p = freshPrefix()
        await driver().set(`${p}k`, 'v', { ttlMs: 1_000 })
        await advanceTime(1_000)
        if (inspection) expect(await driver().pttl(`${p}k`)).toBe(0)
        expect(await driver().get(`${p}k`)).toBe('v')
        await advanceTime(1)
        expect(await driver().get(`${p}k`)).toBeNull()
      })
    }

    if (inspection) it('a 30-day TTL is kept to the millisecond', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'v', { ttlMs: THIRTY_DAYS_MS })
      await expectPttl(`${p}k`, THIRTY_DAYS_MS)
    })

    it('set NX after expiry writes again', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'old', { ttlMs: 50 })
      await advanceTime(pastTtl(50))
      expect(await driver().set(`${p}k`, 'new', { condition: 'nx' })).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('new')
      if (inspection) expect(await driver().pttl(`${p}k`)).toBe(-1)
    })

    if (inspection) it('set NX with a TTL sets it when written and leaves the old TTL when refused', async () => {
      const p = freshPrefix()
      expect(await driver().set(`${p}k`, 'a', { ttlMs: 60_000, condition: 'nx' })).toBe(true)
      await expectPttl(`${p}k`, 60_000)
      expect(await driver().set(`${p}k`, 'b', { ttlMs: 120_000, condition: 'nx' })).toBe(false)
      await expectPttl(`${p}k`, 60_000)
    })

    if (inspection) it('set XX replaces the TTL: a new one when given, none otherwise', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'a', { ttlMs: 60_000 })
      expect(await driver().set(`${p}k`, 'b', { ttlMs: 120_000, condition: 'xx' })).toBe(true)
      await expectPttl(`${p}k`, 120_000)
      expect(await driver().set(`${p}k`, 'c', { condition: 'xx' })).toBe(true)
      expect(await driver().pttl(`${p}k`)).toBe(-1)
    })

    if (inspection) it('set without ttlMs clears an existing TTL', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'a', { ttlMs: 60_000 })
      await driver().set(`${p}k`, 'b')
      expect(await driver().pttl(`${p}k`)).toBe(-1)
    })

    // The same TTL rules, seen through expiry alone: what a BaseDriver (no pttl) is held to.
    it('a refused set NX keeps the old TTL; set XX and a plain set replace it', async () => {
      const p = freshPrefix()
      await driver().set(`${p}nx`, 'a', { ttlMs: 100 })
      expect(await driver().set(`${p}nx`, 'b', { ttlMs: 600_000, condition: 'nx' })).toBe(false)
      await driver().set(`${p}xx`, 'a', { ttlMs: 600_000 })
      expect(await driver().set(`${p}xx`, 'b', { ttlMs: 100, condition: 'xx' })).toBe(true)
      await driver().set(`${p}xxKeep`, 'a', { ttlMs: 100 })
      expect(await driver().set(`${p}xxKeep`, 'b', { condition: 'xx' })).toBe(true)
      await driver().set(`${p}plain`, 'a', { ttlMs: 100 })
      await driver().set(`${p}plain`, 'b')
      await advanceTime(pastTtl(100))
      expect(await driver().mget([`${p}nx`, `${p}xx`, `${p}xxKeep`, `${p}plain`])).toEqual([null, null, 'b', 'b'])
    })

    it('set rejects a TTL below 1 ms and leaves the key unchanged', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'a')
      await expectRejection(driver().set(`${p}k`, 'b', { ttlMs: 0 }))
      await expectRejection(driver().set(`${p}k`, 'b', { ttlMs: -5 }))
      expect(await driver().get(`${p}k`)).toBe('a')
    })

    it('pexpire on a missing key resolves false and creates nothing', async () => {
      const p = freshPrefix()
      expect(await driver().pexpire(`${p}none`, 60_000)).toBe(false)
      expect(await driver().get(`${p}none`)).toBeNull()
    })

    it('pexpire sets and replaces a TTL, and the key then expires', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'v')
      expect(await driver().pexpire(`${p}k`, 60_000)).toBe(true)
      if (inspection) await expectPttl(`${p}k`, 60_000)
      expect(await driver().pexpire(`${p}k`, 80)).toBe(true)
      await advanceTime(pastTtl(80))
      expect(await driver().get(`${p}k`)).toBeNull()
      expect(await driver().pexpire(`${p}k`, 60_000)).toBe(false)
    })

    it('pexpire with a TTL of 0 or below deletes the key, as Redis does', async () => {
      const p = freshPrefix()
      await driver().set(`${p}zero`, 'v', { ttlMs: 60_000 })
      await driver().set(`${p}negative`, 'v')
      expect(await driver().pexpire(`${p}zero`, 0)).toBe(true)
      expect(await driver().pexpire(`${p}negative`, -1_000)).toBe(true)
      expect(await driver().mget([`${p}zero`, `${p}negative`])).toEqual([null, null])
      expect(await driver().pexpire(`${p}zero`, 0)).toBe(false)
    })

    if (counters && inspection) it('incrby keeps the TTL', async () => {
      const p = freshPrefix()
      await driver().set(`${p}n`, '1', { ttlMs: 60_000 })
      expect(await driver().incrby(`${p}n`, 2)).toBe(3)
      await expectPttl(`${p}n`, 60_000)
    })

    if (counters) it('incrby after expiry starts again from 0, without TTL', async () => {
      const p = freshPrefix()
      await driver().set(`${p}n`, '41', { ttlMs: 50 })
      await advanceTime(pastTtl(50))
      expect(await driver().incrby(`${p}n`, 1)).toBe(1)
      if (inspection) expect(await driver().pttl(`${p}n`)).toBe(-1)
    })

    if (context.capabilities.hashes && inspection) {
      it('hset and hincrby keep the TTL; pexpire works on a hash', async () => {
        const p = freshPrefix()
        await driver().hset(`${p}h`, { a: '1' })
        expect(await driver().pexpire(`${p}h`, 60_000)).toBe(true)
        await driver().hset(`${p}h`, { b: '2' })
        await driver().hincrby(`${p}h`, 'a', 1)
        await expectPttl(`${p}h`, 60_000)
      })
    }

    if (context.capabilities.sets) {
      it('sadd keeps the TTL and an expired set reads empty', async () => {
        const p = freshPrefix()
        await driver().sadd(`${p}s`, ['a'])
        await driver().pexpire(`${p}s`, 60_000)
        await driver().sadd(`${p}s`, ['b'])
        if (inspection) await expectPttl(`${p}s`, 60_000)
        await driver().pexpire(`${p}s`, 50)
        await advanceTime(pastTtl(50))
        expect(await driver().smembers(`${p}s`)).toEqual([])
      })
    }

    if (context.capabilities.sortedSets && inspection) {
      it('zadd keeps the TTL', async () => {
        const p = freshPrefix()
        await driver().zadd(`${p}z`, [{ member: 'a', score: 1 }])
        await driver().pexpire(`${p}z`, 60_000)
        await driver().zadd(`${p}z`, [{ member: 'b', score: 2 }])
        await expectPttl(`${p}z`, 60_000)
      })
    }
  })
}
