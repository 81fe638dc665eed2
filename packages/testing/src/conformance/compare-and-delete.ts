import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** compareAndDelete: the lock-release primitive. */
export function registerCompareAndDeleteTests(context: ConformanceContext): void {
  describe('compareAndDelete', () => {
    const driver = useDriver(context)

    it('deletes the key when it holds the expected value', async () => {
      const p = freshPrefix()
      await driver().set(`${p}lock`, 'token-1', { ttlMs: 60_000 })
      expect(await driver().compareAndDelete(`${p}lock`, 'token-1')).toBe(true)
      expect(await driver().get(`${p}lock`)).toBeNull()
    })

    it('keeps the key when it holds another value', async () => {
      const p = freshPrefix()
      await driver().set(`${p}lock`, 'token-2')
      expect(await driver().compareAndDelete(`${p}lock`, 'token-1')).toBe(false)
      expect(await driver().compareAndDelete(`${p}lock`, 'token-2 ')).toBe(false)
      expect(await driver().get(`${p}lock`)).toBe('token-2')
    })

    it('resolves false for a missing or expired key', async () => {
      const p = freshPrefix()
      expect(await driver().compareAndDelete(`${p}none`, 'x')).toBe(false)
      await driver().set(`${p}lock`, 'x', { ttlMs: 50 })
      await context.advanceTime(context.exactTime ? 51 : 110)
      expect(await driver().compareAndDelete(`${p}lock`, 'x')).toBe(false)
    })

    it('compares the empty string like any other value', async () => {
      const p = freshPrefix()
      await driver().set(`${p}lock`, '')
      expect(await driver().compareAndDelete(`${p}lock`, 'x')).toBe(false)
      if (context.quirks.emptyStringIsNilInScripts === true) {
        expect(await driver().compareAndDelete(`${p}lock`, '')).toBe(false)
        expect(await driver().get(`${p}lock`)).toBe('')
      } else {
        expect(await driver().compareAndDelete(`${p}lock`, '')).toBe(true)
        expect(await driver().get(`${p}lock`)).toBeNull()
      }
      expect(await driver().compareAndDelete(`${p}none`, '')).toBe(false)
    })

    it('compares unicode values exactly', async () => {
      const p = freshPrefix()
      await driver().set(`${p}lock`, 'é')
      expect(await driver().compareAndDelete(`${p}lock`, 'e\u0301')).toBe(false)
      expect(await driver().compareAndDelete(`${p}lock`, 'é')).toBe(true)
    })

    if (context.capabilities.compareAndDelete) {
      it('exactly one of many concurrent releases wins (atomic on the server)', async () => {
        const p = freshPrefix()
        await driver().set(`${p}lock`, 'owner')
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => driver().compareAndDelete(`${p}lock`, 'owner')))
        expect(outcomes.filter(Boolean)).toHaveLength(1)
      })
    }
  })
}
