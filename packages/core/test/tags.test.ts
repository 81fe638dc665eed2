import { describe, expect, it } from 'vitest'
import { defineKey, memoryDriver } from '../src/index.js'
import { testCache } from './support/cache.js'
import { countingDriver } from './support/drivers.js'
import { createFakeClock } from '@cachette/testing'

const listKey = defineKey('fmpa:list:{tenantId}:{filters}', {
  params: { filters: 'hash' },
  tags: ({ tenantId }) => [`tenant:${String(tenantId)}`],
})

async function fill(cache: ReturnType<typeof testCache>['cache'], tenantId: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1_000) {
    const end = Math.min(count, start + 1_000)
    const writes: Promise<boolean>[] = []
    for (let page = start; page < end; page++) writes.push(cache.set(listKey({ tenantId, filters: { page } }), { page }))
    await Promise.all(writes)
  }
}

describe('invalidateTags', () => {
  it('touches the same number of store keys for 10 or 100,000 tagged entries', async () => {
    const callsFor = async (entries: number) => {
      const counting = countingDriver(memoryDriver())
      const { cache } = testCache({ driver: counting.driver, prefix: 'tags' })
      await fill(cache, 't1', entries)
      expect(cache.stats().sets).toBe(entries)
      counting.reset()
      await cache.invalidateTags(['tenant:t1'])
      const calls = Object.fromEntries(counting.calls)
      // Every entry of the tenant is now a miss.
      for (const page of [0, Math.floor(entries / 2), entries - 1]) expect(await cache.get(listKey({ tenantId: 't1', filters: { page } }))).toBeUndefined()
      return calls
    }
    const small = await callsFor(10)
    const large = await callsFor(100_000)
    expect(large).toEqual(small)
    expect(small).toEqual({ set: 1 })
  })

  it('invalidates only the entries carrying the tag', async () => {
    const { cache } = testCache()
    await cache.set(listKey({ tenantId: 'a', filters: {} }), ['a'])
    await cache.set(listKey({ tenantId: 'b', filters: {} }), ['b'])
    await cache.set('untagged', 1)
    await cache.invalidateTags(['tenant:a'])
    expect(await cache.get(listKey({ tenantId: 'a', filters: {} }))).toBeUndefined()
    expect(await cache.get(listKey({ tenantId: 'b', filters: {} }))).toEqual(['b'])
    expect(await cache.get('untagged')).toBe(1)
    expect(cache.stats().tagMisses).toBe(1)
    // New writes after the invalidation are visible again.
    await cache.set(listKey({ tenantId: 'a', filters: {} }), ['a2'])
    expect(await cache.get(listKey({ tenantId: 'a', filters: {} }))).toEqual(['a2'])
  })

  it('combines key tags and call tags; any one of them invalidates', async () => {
    const { cache } = testCache()
    await cache.set(listKey({ tenantId: 'a', filters: {} }), ['a'], { tags: ['fmpa'] })
    await cache.invalidateTags(['fmpa'])
    expect(await cache.get(listKey({ tenantId: 'a', filters: {} }))).toBeUndefined()
  })

  it('an invalidation during a load makes the loaded value a miss (tokens are read before the loader)', async () => {
    const { cache } = testCache()
    const key = listKey({ tenantId: 'a', filters: {} })
    let release!: () => void
    const load = cache.getOrSet(key, async () => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return ['before the change']
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    await cache.invalidateTags(['tenant:a'])
    release()
    expect(await load).toEqual(['before the change'])
    expect(await cache.get(key)).toBeUndefined()
  })

  it('a token that expired and was created again never revives old entries', async () => {
    const clock = createFakeClock()
    const driver = memoryDriver({ clock })
    const { cache } = testCache({ driver, clock, prefix: 'p', maxTtl: '1h', ttl: '1m' })
    const key = listKey({ tenantId: 'a', filters: {} })
    await cache.set(key, ['old'], { ttl: '1h' })
    const tokenKey = 'p:cachette:tag:tenant:a'
    const oldToken = await driver.get(tokenKey)
    expect(oldToken).toMatch(/^[A-Za-z0-9_-]{22}$/)
    // The token outlives every entry written under it: maxTtl + the refresh interval.
    expect(await driver.pttl(tokenKey)).toBe(2 * 3_600_000)
    await driver.delete([tokenKey]) // as if it had expired or been evicted
    await cache.set(listKey({ tenantId: 'a', filters: { other: true } }), ['new'])
    expect(await driver.get(tokenKey)).not.toBe(oldToken)
    expect(await cache.get(key)).toBeUndefined()
    expect(await cache.get(listKey({ tenantId: 'a', filters: { other: true } }))).toEqual(['new'])
  })

  it('rejects tags that could widen a pattern or break a key, without echoing them', async () => {
    const { cache } = testCache()
    for (const tag of ['', 'a*', 'a b', '{x}', 'a\n']) {
      await expect(cache.set('k', 1, { tags: [tag] })).rejects.toThrow(/tag/)
      await expect(cache.invalidateTags([tag])).rejects.toThrow(/tag/)
    }
  })
})
