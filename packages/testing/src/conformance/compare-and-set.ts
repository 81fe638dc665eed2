import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'

/** compareAndSet: the fence's write. Registered when `capabilities.compareAndSet`. */
export function registerCompareAndSetTests(context: ConformanceContext): void {
  describe('compareAndSet', () => {
    const driver = useDriver(context)
    const compareAndSet = (key: string, expected: string, value: string, options?: { ttlMs?: number }) => {
      const method = driver().compareAndSet
      if (method === undefined) throw new Error('capabilities.compareAndSet is true but the driver has no compareAndSet method')
      return method.call(driver(), key, expected, value, options)
    }

    it('replaces the value and its TTL when the key holds the expected value', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'tombstone', { ttlMs: 60_000 })
      expect(await compareAndSet(`${p}k`, 'tombstone', 'entry', { ttlMs: 600_000 })).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('entry')
      if (!context.capabilities.inspection) return
      const ttl = await driver().pttl(`${p}k`)
      expect(ttl).toBeGreaterThan(590_000)
      expect(ttl).toBeLessThanOrEqual(600_000)
    })

    it('without ttlMs, the key no longer expires', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'tombstone', { ttlMs: 60_000 })
      expect(await compareAndSet(`${p}k`, 'tombstone', 'entry')).toBe(true)
      if (context.capabilities.inspection) expect(await driver().pttl(`${p}k`)).toBe(-1)
    })

    it('leaves the key alone when it holds another value, or is missing', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'newer', { ttlMs: 60_000 })
      expect(await compareAndSet(`${p}k`, 'older', 'entry', { ttlMs: 600_000 })).toBe(false)
      expect(await driver().get(`${p}k`)).toBe('newer')
      if (context.capabilities.inspection) expect(await driver().pttl(`${p}k`)).toBeLessThanOrEqual(60_000)
      expect(await compareAndSet(`${p}none`, 'older', 'entry')).toBe(false)
      expect(await driver().get(`${p}none`)).toBeNull()
    })

    it('compares unicode values exactly', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'é')
      expect(await compareAndSet(`${p}k`, 'e\u0301', 'x')).toBe(false)
      expect(await compareAndSet(`${p}k`, 'é', 'ü')).toBe(true)
      expect(await driver().get(`${p}k`)).toBe('ü')
    })

    it('exactly one of many concurrent writers over one value wins (atomic on the server)', async () => {
      const p = freshPrefix()
      await driver().set(`${p}k`, 'claim')
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => compareAndSet(`${p}k`, 'claim', `writer-${i}`)))
      expect(outcomes.filter(Boolean)).toHaveLength(1)
      expect(await driver().get(`${p}k`)).toBe(`writer-${outcomes.indexOf(true)}`)
    })
  })
}
