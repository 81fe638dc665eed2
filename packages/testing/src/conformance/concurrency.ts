import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** Concurrent commands from one process: each is atomic, none is lost. */
export function registerConcurrencyTests(context: ConformanceContext): void {
  describe('concurrency', () => {
    const driver = useDriver(context)

    if (context.capabilities.counters) it('200 parallel incrby of 1 give exactly 200, each intermediate value once', async () => {
      const p = freshPrefix()
      const values = await Promise.all(Array.from({ length: 200 }, () => driver().incrby(`${p}n`, 1)))
      expect(await driver().get(`${p}n`)).toBe('200')
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    })

    it('of 50 parallel set NX, exactly one wins and its value stays', async () => {
      const p = freshPrefix()
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => driver().set(`${p}k`, `writer-${i}`, { condition: 'nx', ttlMs: 60_000 })))
      const winners = outcomes.flatMap((won, i) => (won ? [i] : []))
      expect(winners).toHaveLength(1)
      expect(await driver().get(`${p}k`)).toBe(`writer-${winners[0]}`)
    })

    if (context.capabilities.hashes) {
      it('100 parallel hincrby on two fields lose nothing', async () => {
        const p = freshPrefix()
        await Promise.all(Array.from({ length: 100 }, (_, i) => driver().hincrby(`${p}h`, i % 2 === 0 ? 'even' : 'odd', 1)))
        expect(await driver().hgetall(`${p}h`)).toEqual({ even: '50', odd: '50' })
      })
    }

    if (context.capabilities.sets) {
      it('100 parallel sadd of distinct members keep every member', async () => {
        const p = freshPrefix()
        const added = await Promise.all(Array.from({ length: 100 }, (_, i) => driver().sadd(`${p}s`, [`m${i}`, 'shared'])))
        expect(added.reduce((sum, n) => sum + n, 0)).toBe(101)
        expect(await driver().smembers(`${p}s`)).toHaveLength(101)
      })
    }
  })
}
