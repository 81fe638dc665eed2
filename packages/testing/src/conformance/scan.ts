import { describe, expect, it } from 'vitest'
import { expectRejection, useDriver, type ConformanceContext } from './context.js'
import { freshPrefix, scanAll, underPrefix } from './key-prefix.js'

/**
 * Keys of the glob tests, chosen for the corners: one-byte vs multibyte keys, glob characters
 * stored literally, a backslash.
 */
const GLOB_KEYS = ['a', 'b', 'c', 'd', '*', '^', 'ab', 'a*', 'é', 'abc', 'a?c', 'a\\b', '[x]', 'x-y', 'ée', '😀'] as const

/**
 * Pattern -> the keys redis-server matches, derived from its rules: matching is on UTF-8 bytes,
 * so `?` is one byte ('é' is two, '😀' four) and a bracket class holds single bytes.
 *
 * The third element, when present, is what a store with the `globAsJsRegExp` quirk answers
 * instead (the glob rewritten into a JS RegExp, see DriverConformanceQuirks): the keys it
 * matches, or 'rejects' for a pattern that is not a valid RegExp. Patterns without one mean the
 * same under that rewrite and are asserted against Redis on every store.
 */
const GLOB_CASES: readonly (readonly [pattern: string, expected: readonly string[], regExp?: readonly string[] | 'rejects'])[] = [
  ['*', GLOB_KEYS],
  ['[a-c]', ['a', 'b', 'c']],
  // A reversed range is a RegExp syntax error.
  ['[c-a]', ['a', 'b', 'c'], 'rejects'],
  // `^` is escaped: the class of '^' and 'a', not a negation.
  ['[^a]', ['*', '^', 'b', 'c', 'd'], ['^', 'a']],
  // `\` is a literal backslash, and a `*` or `?` after it quantifies that backslash.
  ['\\*', ['*'], []],
  ['a\\*', ['a*'], ['a']],
  ['a*', ['a', 'a*', 'a?c', 'a\\b', 'ab', 'abc']],
  ['a?c', ['a?c', 'abc']],
  ['a\\?c', ['a?c'], []],
  ['a\\\\b', ['a\\b'], []],
  ['\\[x\\]', ['[x]'], []],
  ['[[]x]', ['[x]']],
  ['x\\-y', ['x-y'], []],
  // `?` is zero or one UTF-16 unit, and a `?` right after another is a lazy quantifier: '?' and
  // '??' match up to one unit, '???' and '????' up to two ('😀' is two units).
  ['?', ['*', '^', 'a', 'b', 'c', 'd'], ['*', '^', 'a', 'b', 'c', 'd', 'é']],
  ['??', ['a*', 'ab', 'é'], ['*', '^', 'a', 'b', 'c', 'd', 'é']],
  ['???', ['[x]', 'a?c', 'a\\b', 'abc', 'x-y', 'ée'], ['*', '^', 'a', 'a*', 'ab', 'b', 'c', 'd', 'é', 'ée', '😀']],
  ['????', ['😀'], ['*', '^', 'a', 'a*', 'ab', 'b', 'c', 'd', 'é', 'ée', '😀']],
  ['é*', ['é', 'ée']],
  // A class of one UTF-16 unit 'é', then zero or one unit.
  ['[é]?', ['é'], ['é', 'ée']],
  ['*e', ['ée']],
  ['😀', ['😀']],
  // An unterminated class is a RegExp syntax error.
  ['a[', [], 'rejects'],
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

    it(
      context.quirks.globAsJsRegExp
        ? 'matches glob patterns as the JS RegExp they are rewritten into (quirk: globAsJsRegExp)'
        : 'matches glob patterns byte for byte, as redis-server',
      async () => {
        const p = freshPrefix()
        await Promise.all(GLOB_KEYS.map((key) => driver().set(p + key, 'v')))
        for (const [pattern, redis, regExp] of GLOB_CASES) {
          const expected = context.quirks.globAsJsRegExp && regExp !== undefined ? regExp : redis
          const label = `pattern ${JSON.stringify(pattern)}`
          if (expected === 'rejects') await expectRejection(scanAll(driver(), p, pattern))
          else expect(await scanAll(driver(), p, pattern), label).toEqual([...expected].sort())
        }
      },
    )

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

    it(
      context.quirks.scanCursorIsIndex
        ? 'skips keys alive for the whole scan when keys are deleted during it (quirk: scanCursorIsIndex)'
        : 'stays correct while keys are deleted and added during the scan',
      async () => {
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
        const seenOld = [...seen].filter((key) => key.startsWith('k')).sort()
        if (context.quirks.scanCursorIsIndex) {
          // Some keys were skipped, and they are exactly the ones left: every yielded key was deleted.
          const skipped = keys.filter((key) => !seen.has(key))
          expect(skipped.length).toBeGreaterThan(0)
          expect(seenOld).toEqual(keys.filter((key) => seen.has(key)))
          expect(await scanAll(driver(), p, 'k*')).toEqual(skipped)
        } else {
          // Keys alive for the whole scan are yielded at least once.
          expect(seenOld).toEqual(keys)
          expect(await scanAll(driver(), p, 'k*')).toEqual([])
        }
        expect(await driver().mget(Array.from({ length: 20 }, (_, i) => `${p}new${i}`))).toEqual(Array.from({ length: 20 }, () => 'v'))
      },
    )

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

