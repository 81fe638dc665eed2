import { describe, expect, it } from 'vitest'
import type { BatchCommand, BatchResult } from '@cachette/core'
import { expectCode, useDriver, type ConformanceContext } from './context.js'
import { hashSlot } from './hash-slot.js'
import { freshPrefix } from './key-prefix.js'

/** The atomic batch (MULTI/EXEC). */
export function registerBatchTests(context: ConformanceContext): void {
  const { capabilities, quirks } = context

  describe('batch', () => {
    const driver = useDriver(context)

    it('resolves each command\'s result at its index', async () => {
      const p = freshPrefix()
      await driver().set(`${p}old`, 'x')
      // A batch's incrby needs the counters group; without it two SETs leave the same '5'.
      const { counters } = capabilities
      const commands: BatchCommand[] = [
        { op: 'set', key: `${p}k`, value: 'v' },
        { op: 'set', key: `${p}k`, value: 'w', condition: 'nx' },
        counters ? { op: 'incrby', key: `${p}n`, by: 2 } : { op: 'set', key: `${p}n`, value: '2' },
        counters ? { op: 'incrby', key: `${p}n`, by: 3 } : { op: 'set', key: `${p}n`, value: '5', condition: 'xx' },
        { op: 'pexpire', key: `${p}n`, ttlMs: 60_000 },
        { op: 'pexpire', key: `${p}none`, ttlMs: 60_000 },
        { op: 'delete', keys: [`${p}old`, `${p}none`] },
        { op: 'set', key: `${p}t`, value: 'ttl', ttlMs: 60_000 },
      ]
      const expected: BatchResult[] = [true, false, counters ? 2 : true, counters ? 5 : true, true, false, 1, true]
      if (capabilities.hashes) {
        commands.push({ op: 'hset', key: `${p}h`, fields: { a: '1', b: '2' } }, { op: 'hincrby', key: `${p}h`, field: 'a', by: 9 }, { op: 'hdel', key: `${p}h`, fields: ['b', 'c'] })
        expected.push(2, 10, 1)
      }
      if (capabilities.sets) {
        commands.push({ op: 'sadd', key: `${p}s`, members: ['a', 'b'] }, { op: 'srem', key: `${p}s`, members: ['a', 'z'] })
        expected.push(2, 1)
      }
      if (capabilities.sortedSets) {
        commands.push(
          { op: 'zadd', key: `${p}z`, entries: [{ member: 'a', score: 1 }, { member: 'b', score: 2 }, { member: 'c', score: 3 }] },
          { op: 'zrem', key: `${p}z`, members: ['a'] },
          { op: 'zremRangeByScore', key: `${p}z`, min: { exclusive: 2 }, max: '+inf' },
        )
        expected.push(3, 1, 1)
      }
      expect(await driver().batch(commands)).toEqual(expected)
      expect(await driver().mget([`${p}k`, `${p}n`, `${p}old`])).toEqual(['v', '5', null])
      if (capabilities.inspection) expect(await driver().pttl(`${p}t`)).toBeGreaterThan(0)
      if (capabilities.inspection) expect(await driver().pttl(`${p}n`)).toBeGreaterThan(0)
      if (capabilities.hashes) expect(await driver().hgetall(`${p}h`)).toEqual({ a: '10' })
      if (capabilities.sets) expect(await driver().smembers(`${p}s`)).toEqual(['b'])
      if (capabilities.sortedSets) expect(await driver().zrangeByScore(`${p}z`, '-inf', '+inf')).toEqual([{ member: 'b', score: 2 }])
    })

    it('an empty batch resolves []', async () => {
      expect(await driver().batch([])).toEqual([])
    })

    if (capabilities.counters) it('no batch observes another half-done', async () => {
      const p = freshPrefix()
      const runs = 40
      const results = await Promise.all(
        Array.from({ length: runs }, () =>
          driver().batch([
            { op: 'incrby', key: `${p}a`, by: 1 },
            { op: 'incrby', key: `${p}b`, by: 1 },
          ]),
        ),
      )
      for (const [a, b] of results) expect(a).toBe(b)
      expect(new Set(results.map(([a]) => a)).size).toBe(runs)
      expect(await driver().mget([`${p}a`, `${p}b`])).toEqual([String(runs), String(runs)])
    })

    if (capabilities.counters) it(
      quirks.looseIntegerIncrements
        ? 'an incrby on text does not fail the batch: it stores NaN and every command applies (quirk: looseIntegerIncrements)'
        : quirks.batchAllOrNothing
          ? 'a failing command rejects the batch with its code and nothing is applied (quirk: batchAllOrNothing)'
          : 'a failing command rejects the batch with its code and the other commands are applied (as EXEC)',
      async () => {
        const p = freshPrefix()
        await driver().set(`${p}text`, 'abc')
        if (quirks.looseIntegerIncrements) {
          const results = await driver().batch([
            { op: 'set', key: `${p}before`, value: '1' },
            { op: 'incrby', key: `${p}text`, by: 1 },
            { op: 'set', key: `${p}after`, value: '2' },
          ])
          expect(results).toEqual([true, Number.NaN, true])
          expect(await driver().mget([`${p}before`, `${p}text`, `${p}after`])).toEqual(['1', 'NaN', '2'])
          return
        }
        await expectCode(
          driver().batch([
            { op: 'set', key: `${p}before`, value: '1' },
            { op: 'incrby', key: `${p}text`, by: 1 },
            { op: 'set', key: `${p}after`, value: '2' },
          ]),
          'NOT_INTEGER',
        )
        const expected = quirks.batchAllOrNothing ? [null, 'abc', null] : ['1', 'abc', '2']
        expect(await driver().mget([`${p}before`, `${p}text`, `${p}after`])).toEqual(expected)
      },
    )

    if (capabilities.hashes && capabilities.counters) {
      it(
        quirks.noWrongTypeErrors
          ? 'an hset on a string does not fail the batch and leaves the string (quirk: noWrongTypeErrors)'
          : 'a WRONG_TYPE command rejects the batch with WRONG_TYPE',
        async () => {
          const p = freshPrefix()
          await driver().set(`${p}text`, 'abc')
          const batch = driver().batch([
            { op: 'incrby', key: `${p}n`, by: 1 },
            { op: 'hset', key: `${p}text`, fields: { f: 'v' } },
          ])
          if (quirks.noWrongTypeErrors) {
            expect(await batch).toEqual([1, 1])
            expect(await driver().mget([`${p}n`, `${p}text`])).toEqual(['1', 'abc'])
            return
          }
          await expectCode(batch, 'WRONG_TYPE')
          expect(await driver().get(`${p}n`)).toBe(quirks.batchAllOrNothing ? null : '1')
        },
      )
    }

    if (!capabilities.crossSlotBatch) {
      it('a batch over keys of different hash slots rejects with CROSS_SLOT before anything runs', async () => {
        const first = freshPrefix()
        let second = freshPrefix()
        while (hashSlot(`${second}k`) === hashSlot(`${first}k`)) second = freshPrefix()
        await expectCode(
          driver().batch([
            { op: 'set', key: `${first}k`, value: '1' },
            { op: 'set', key: `${second}k`, value: '2' },
          ]),
          'CROSS_SLOT',
        )
        expect(await driver().get(`${first}k`)).toBeNull()
        expect(await driver().get(`${second}k`)).toBeNull()
      })
    }
  })
}
