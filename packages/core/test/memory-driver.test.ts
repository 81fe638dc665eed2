import { describe, expect, it } from 'vitest'
import { createFakeClock } from '@cachette/testing'
import { isCacheError, memoryDriver, type Driver } from '../src/index.js'

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isCacheError(error) ? error.code : error),
  )
}

describe('memoryDriver options', () => {
  it.each([
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ maxBytes: 1.5 }, 'maxBytes'],
    [{ clock: { now: 5 } }, 'clock'],
    [{ unknown: true }, 'unknown'],
  ])('rejects %j with an InvalidOptionsError naming the option', (options, name) => {
    let thrown: unknown
    try {
      memoryDriver(options as never)
    } catch (error) {
      thrown = error
    }
    expect(isCacheError(thrown) && thrown.code).toBe('INVALID_OPTIONS')
    expect((thrown as Error).message).toMatch(/^\[@cachette\/core\] memoryDriver options are invalid: /)
    expect((thrown as Error).message).toContain(name)
  })

  it('reports every capability and its name', () => {
    const driver = memoryDriver()
    expect(driver.name).toBe('memory')
    expect(Object.values(driver.capabilities).every(Boolean)).toBe(true)
    return driver.close()
  })
})

describe('memoryDriver close', () => {
  it('is idempotent, and afterwards every call rejects with CLOSED', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    await driver.set('k', 'v')
    await driver.close()
    await driver.close()
    const calls: ((d: Driver) => Promise<unknown>)[] = [
      (d) => d.get('k'),
      (d) => d.getBytes('k'),
      (d) => d.mget(['k']),
      (d) => d.set('k', 'v'),
      (d) => d.delete(['k']),
      (d) => d.exists(['k']),
      (d) => d.pttl('k'),
      (d) => d.pexpire('k', 10),
      (d) => d.incrby('k', 1),
      (d) => d.hset('h', { f: 'v' }),
      (d) => d.hgetall('h'),
      (d) => d.hdel('h', ['f']),
      (d) => d.hincrby('h', 'f', 1),
      (d) => d.sadd('s', ['m']),
      (d) => d.srem('s', ['m']),
      (d) => d.smembers('s'),
      (d) => d.zadd('z', [{ member: 'm', score: 1 }]),
      (d) => d.zrangeByScore('z', '-inf', '+inf'),
      (d) => d.zrem('z', ['m']),
      (d) => d.zcard('z'),
      (d) => d.zremRangeByScore('z', 0, 1),
      (d) => d.publish('c', 'm'),
      (d) => d.subscribe('c', () => undefined),
      (d) => d.batch([]),
      (d) => d.compareAndDelete('k', 'v'),
      (d) => d.ping(),
      (d) => d.info(),
      (d) => d.scan('*')[Symbol.asyncIterator]().next(),
    ]
    for (const call of calls) expect(await codeOf(call(driver))).toBe('CLOSED')
  })

  it('stops delivering to subscribers', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    const received: string[] = []
    await driver.subscribe('c', (message) => received.push(message))
    // Published but not yet delivered (delivery is a microtask) when close() runs.
    const published = driver.publish('c', 'queued before close')
    await driver.close()
    expect(await published).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(received).toEqual([])
  })
})

describe('memoryDriver batch', () => {
  it('undoes every change of a failed batch, sizes included', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    await driver.hset('h', { a: '1' })
    await driver.zadd('z', [{ member: 'm', score: 1 }])
    await driver.set('text', 'abc', { ttlMs: 60_000 })
    await driver.pexpire('h', 30_000)
    const before = await driver.info()
    const error = await codeOf(
      driver.batch([
        { op: 'hset', key: 'h', fields: { a: '2', b: '3' } },
        { op: 'zadd', key: 'z', entries: [{ member: 'n', score: 2 }] },
        { op: 'zrem', key: 'z', members: ['m'] },
        { op: 'delete', keys: ['text'] },
        { op: 'pexpire', key: 'h', ttlMs: 5 },
        { op: 'set', key: 'new', value: 'x' },
        { op: 'hincrby', key: 'z', field: 'f', by: 1 },
      ]),
    )
    expect(error).toBe('WRONG_TYPE')
    expect(await driver.hgetall('h')).toEqual({ a: '1' })
    expect(await driver.pttl('h')).toBe(30_000)
    expect(await driver.zrangeByScore('z', '-inf', '+inf')).toEqual([{ member: 'm', score: 1 }])
    expect(await driver.get('text')).toBe('abc')
    expect(await driver.pttl('text')).toBe(60_000)
    expect(await driver.exists(['new'])).toBe(0)
    const after = await driver.info()
    expect(after.usedMemoryBytes).toBe(before.usedMemoryBytes)
    expect(after.keys).toBe(before.keys)
  })

  it('rejects an invalid argument before anything is applied', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    expect(await codeOf(driver.batch([{ op: 'set', key: 'a', value: '1' }, { op: 'set', key: 'b', value: '2', ttlMs: 0 }]))).toBe('INVALID_OPTIONS')
    expect(await driver.exists(['a', 'b'])).toBe(0)
  })
})

describe('memoryDriver info', () => {
  it('counts keyspace hits, misses and commands', async () => {
    const driver = memoryDriver({ clock: createFakeClock() })
    await driver.set('k', 'v')
    await driver.get('k')
    await driver.get('none')
    await driver.mget(['k', 'none'])
    expect(await driver.info()).toMatchObject({ keys: 1, keyspaceHits: 2, keyspaceMisses: 2, totalCommands: 5 })
  })
})
