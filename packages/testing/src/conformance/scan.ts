import { describe, expect, it } from 'vitest'
import { freshPrefix, scanAll, underPrefix, useDriver, type ConformanceContext } from './context.js'

/**
 * Keys of the glob tests, chosen for the corners: one-byte vs multibyte keys, glob characters
 * stored literally, a backslash.
 */
const GLOB_KEYS = ['a', 'b', 'c', 'd', '*', '^', 'ab', 'a*', 'é', 'abc', 'a?c', 'a\\b', '[x]', 'x-y', 'ée', '😀'] as const

/**
 * Pattern -> the keys redis-server matches, derived from its rules: matching is on UTF-8 bytes,
 * so `?` is one byte ('é' is two, '😀' four) and a bracket class holds single bytes.
 */
const GLOB_CASES: readonly (readonly [pattern: string, expected: readonly string[]])[] = [
  ['*', GLOB_KEYS],
  ['[a-c]', ['a', 'b', 'c']],
  ['[c-a]', ['a', 'b', 'c']],
  ['[^a]', ['*', '^', 'b', 'c', 'd']],
  ['\\*', ['*']],
  ['a\\*', ['a*']],
  ['a*', ['a', 'a*', 'a?c', 'a\\b', 'ab', 'abc']],
  ['a?c', ['a?c', 'abc']],
  ['a\\?c', ['a?c']],
  ['a\\\\b', ['a\\b']],
  ['\\[x\\]', ['[x]']],
  ['[[]x]', ['[x]']],
  ['x\\-y', ['x-y']],
  ['?', ['*', '^', 'a', 'b', 'c', 'd']],
  ['??', ['a*', 'ab', 'é']],
  ['???', ['[x]', 'a?c', 'a\\b', 'abc', 'x-y', 'ée']],
  ['????', ['😀']],
  ['é*', ['é', 'ée']],
  ['[é]?', ['é']],
  ['*e', ['ée']],
  ['😀', ['😀']],
  ['a[', []],
  ['nothing*', []],
]

/** SCAN MATCH with Redis glob semantics, and SCAN's guarantees under concurrent changes. */
export function registerScanTests(context: ConformanceContext): void {
  const pastTtl = (ttlMs: number): number => (context.exactTime ? ttlMs + 1 : ttlMs + 60)

  describe('scan', () => {
    const driver = useDriver(context)

    it('yields every matching key across many chunks', async () => {
      const p = freshPrefix()
      const expected: string[] = []
      for (let i = 0; i < 250; i++) expected.push(`k${i}`)
      await Promise.all(expected.map((key) => driver().set(p + key, 'v')))
      expect(await scanAll(driver(), p, '*', 10)).toEqual([...expected].sort())
    })

    it('matches glob patterns byte for byte, as redis-server', async () => {
      const p = freshPrefix()
      await Promise.all(GLOB_KEYS.map((key) => driver().set(p + key, 'v')))
      for (const [pattern, expected] of GLOB_CASES) {
        expect(await scanAll(driver(), p, pattern), `pattern ${JSON.stringify(pattern)}`).toEqual([...expected].sort())
      }
    })

    it('yields keys of every type', async () => {
      const p = freshPrefix()
      await driver().set(`${p}s`, 'v')
      const expected = ['s']
      if (context.capabilities.hashes) {
        await driver().hset(`${p}h`, { f: 'v' })
        expected.push('h')
      }
      if (context.capabilities.sets) {
        await driver().sadd(`${p}t`, ['m'])
        expected.push('t')
      }
      if (context.capabilities.sortedSets) {
        await driver().zadd(`${p}z`, [{ member: 'm', score: 1 }])
        expected.push('z')
      }
      expect(await scanAll(driver(), p, '*')).toEqual(expected.sort())
    })

    it('skips expired keys', async () => {
      const p = freshPrefix()
      await driver().set(`${p}short`, 'v', { ttlMs: 50 })
      await driver().set(`${p}long`, 'v', { ttlMs: 600_000 })
      await driver().set(`${p}forever`, 'v')
      await context.advanceTime(pastTtl(50))
      expect(await scanAll(driver(), p, '*')).toEqual(['forever', 'long'])
    })

    it('stays correct while keys are deleted and added during the scan', async () => {
      const p = freshPrefix()
      const keys = Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(2, '0')}`)
      await Promise.all(keys.map((key) => driver().set(p + key, 'v')))
      const seen = new Set<string>()
      let added = 0
      for await (const key of driver().scan(underPrefix(p, 'k*'), { count: 7 })) {
        seen.add(key.slice(p.length))
        // Delete what was just seen (a deletePattern loop) and add keys that may or may not be seen.
        await driver().delete([key])
        if (added < 20) await driver().set(`${p}new${added++}`, 'v')
      }
      // Keys alive for the whole scan are yielded at least once.
      expect([...seen].filter((key) => key.startsWith('k')).sort()).toEqual(keys)
      expect(await scanAll(driver(), p, 'k*')).toEqual([])
      expect(await driver().exists(Array.from({ length: 20 }, (_, i) => `${p}new${i}`))).toBe(20)
    })

    it('lets the caller read every key it scans without looping forever', async () => {
      const p = freshPrefix()
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`)
      await Promise.all(keys.map((key) => driver().set(p + key, key)))
      let yielded = 0
      for await (const key of driver().scan(underPrefix(p, '*'), { count: 5 })) {
        expect(await driver().get(key)).toBe(key.slice(p.length))
        yielded++
        if (yielded > 10_000) throw new Error('scan did not terminate')
      }
      expect(yielded).toBeGreaterThanOrEqual(30)
    })
  })
}

