import { describe, expect, it } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { memoryDriver } from '../src/index.js'

const keysOf = async (driver: ReturnType<typeof memoryDriver>, names: string[]): Promise<string[]> => {
  const present: string[] = []
  for (const name of names) if ((await driver.exists([name])) === 1) present.push(name)
  return present
}

describe('memoryDriver maxEntries (allkeys-lru)', () => {
  it('evicts the least recently written key first', async () => {
    const driver = memoryDriver({ maxEntries: 3, clock: createFakeClock() })
    for (const key of ['a', 'b', 'c', 'd']) await driver.set(key, 'v')
    expect(await keysOf(driver, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd'])
  })

  it('a read makes a key recent', async () => {
    const driver = memoryDriver({ maxEntries: 3, clock: createFakeClock() })
    for (const key of ['a', 'b', 'c']) await driver.set(key, 'v')
    await driver.get('a')
    await driver.set('d', 'v')
    expect(await keysOf(driver, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd'])
  })

  it('an overwrite and a typed write make a key recent', async () => {
    const driver = memoryDriver({ maxEntries: 3, clock: createFakeClock() })
    await driver.set('a', 'v')
    await driver.sadd('s', ['m'])
    await driver.set('c', 'v')
    await driver.set('a', 'w')
    await driver.sadd('s', ['n'])
    await driver.set('d', 'v')
    expect(await keysOf(driver, ['a', 's', 'c', 'd'])).toEqual(['a', 's', 'd'])
  })

  it('exists, pttl and scan do not make a key recent (Redis LOOKUP_NOTOUCH)', async () => {
    const driver = memoryDriver({ maxEntries: 2, clock: createFakeClock() })
    await driver.set('a', 'v')
    await driver.set('b', 'v')
    await driver.exists(['a'])
    await driver.pttl('a')
    for await (const key of driver.scan('*')) expect(typeof key).toBe('string')
    await driver.set('c', 'v')
    expect(await keysOf(driver, ['a', 'b', 'c'])).toEqual(['b', 'c'])
  })

  it('defers eviction to the end of a batch, then keeps the most recent keys', async () => {
    const driver = memoryDriver({ maxEntries: 2, clock: createFakeClock() })
    const results = await driver.batch([
      { op: 'set', key: 'a', value: '1' },
      { op: 'set', key: 'b', value: '2' },
      { op: 'set', key: 'c', value: '3' },
      { op: 'incrby', key: 'a', by: 1 },
    ])
    // 'a' was still there for the incrby: nothing was evicted mid-batch.
    expect(results).toEqual([true, true, true, 2])
    expect(await keysOf(driver, ['a', 'b', 'c'])).toEqual(['a', 'c'])
  })
})

describe('memoryDriver maxBytes', () => {
  it('counts UTF-8 bytes of key and value and evicts the least recently used past the bound', async () => {
    // Each entry: 2 key bytes + 10 value bytes = 12 bytes; 'é' is 2 bytes in UTF-8.
    const driver = memoryDriver({ maxBytes: 30, clock: createFakeClock() })
    await driver.set('k1', '0123456789')
    await driver.set('k2', 'éééééééééé'.slice(0, 5))
    expect((await driver.info()).usedMemoryBytes).toBe(24)
    await driver.set('k3', '0123456789')
    expect(await keysOf(driver, ['k1', 'k2', 'k3'])).toEqual(['k2', 'k3'])
    expect((await driver.info()).usedMemoryBytes).toBe(24)
  })

  it('tracks container sizes as members come and go', async () => {
    const driver = memoryDriver({ maxBytes: 1_000, clock: createFakeClock() })
    await driver.hset('h', { ab: 'cd' })
    await driver.sadd('s', ['xyz'])
    await driver.zadd('z', [{ member: 'm', score: 1 }])
    // h: 1 + 4, s: 1 + 3, z: 1 + 1 + 8 (a score counts 8 bytes)
    expect((await driver.info()).usedMemoryBytes).toBe(19)
    await driver.hdel('h', ['ab'])
    await driver.srem('s', ['xyz'])
    await driver.zrem('z', ['m'])
    expect(await driver.info()).toMatchObject({ usedMemoryBytes: 0, keys: 0 })
  })

  it('evicts an entry larger than maxBytes on its own without flushing the others', async () => {
    const driver = memoryDriver({ maxBytes: 20, clock: createFakeClock() })
    await driver.set('a', 'small')
    await driver.set('big', 'x'.repeat(100))
    expect(await driver.get('big')).toBeNull()
    expect(await driver.get('a')).toBe('small')
    expect((await driver.info()).usedMemoryBytes).toBeLessThanOrEqual(20)
  })

  it('grows a hash past the bound by evicting older keys', async () => {
    const driver = memoryDriver({ maxBytes: 30, clock: createFakeClock() })
    await driver.set('old', '0123456789')
    await driver.hset('h', { f1: '0123456789', f2: '0123456789' })
    expect(await driver.exists(['old', 'h'])).toBe(1)
    expect(await driver.hgetall('h')).toEqual({ f1: '0123456789', f2: '0123456789' })
  })
})

describe('memoryDriver copies values in and out', () => {
  it('stores a private copy of a Buffer (whose slice() would share memory)', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    const input = Buffer.from([1, 2, 3])
    await driver.set('b', input)
    input.fill(0)
    const output = await driver.getBytes('b')
    expect(output).toEqual(new Uint8Array([1, 2, 3]))
    expect(Buffer.isBuffer(output)).toBe(false)
  })

  it('hands out a fresh array on every read', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    await driver.set('b', new Uint8Array([7, 8]))
    const first = (await driver.getBytes('b')) as Uint8Array
    first[0] = 0
    const second = (await driver.getBytes('b')) as Uint8Array
    expect(second).toEqual(new Uint8Array([7, 8]))
    expect(second).not.toBe(first)
  })

  it('returns sorted-set entries that do not alias the store', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    await driver.zadd('z', [{ member: 'a', score: 1 }])
    const [entry] = await driver.zrangeByScore('z', '-inf', '+inf')
    ;(entry as { score: number }).score = 99
    expect(await driver.zrangeByScore('z', '-inf', '+inf')).toEqual([{ member: 'a', score: 1 }])
  })
})
