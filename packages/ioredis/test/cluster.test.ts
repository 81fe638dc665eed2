import { Cluster, Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCache, defineKey, isCacheError, type Driver } from '@cachette/core'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { keySlot } from '@cachette/core/redis'
import { randomPrefix, sleep } from './support/traffic.js'

type ScanFn = (cursor: string, ...args: (string | number)[]) => Promise<[string, string[]]>

/** What {@link spyScans} saw of the SCANs sent to each master. */
interface ScanSpy {
  /** SCANs sent, per master (in `client.nodes('master')` order). */
  readonly calls: number[]
  /** SCANs in flight now, over all masters. */
  inFlight: number
  /** Most SCANs in flight at once, over all masters. */
  maxInFlight: number
  /** Most SCANs in flight at once when a master's second or later SCAN was sent (so not only the first pages). */
  maxInFlightLater: number
  /** Most SCANs in flight at once on any one master. */
  maxInFlightPerMaster: number
  restore(): void
}

/**
 * Wraps `scan` on each master connection of a cluster client to count SCANs, overall and per master.
 * Each SCAN waits `delayMs` before it is sent; `corrupt(master, call)` true sends that SCAN with an
 * invalid cursor, so that the real server rejects it.
 */
function spyScans(client: Cluster, options: { delayMs?: number; corrupt?: (master: number, call: number) => boolean } = {}): ScanSpy {
  const nodes = client.nodes('master')
  const spy: ScanSpy = {
    calls: nodes.map(() => 0),
    inFlight: 0,
    maxInFlight: 0,
    maxInFlightLater: 0,
    maxInFlightPerMaster: 0,
    restore: () => {
      for (const node of nodes) delete (node as unknown as { scan?: ScanFn }).scan
    },
  }
  nodes.forEach((node, master) => {
    const scan = node.scan.bind(node) as unknown as ScanFn
    let mine = 0
    ;(node as unknown as { scan: ScanFn }).scan = async (cursor, ...args) => {
      const call = (spy.calls[master] = (spy.calls[master] ?? 0) + 1)
      spy.inFlight++
      mine++
      spy.maxInFlight = Math.max(spy.maxInFlight, spy.inFlight)
      if (call > 1) spy.maxInFlightLater = Math.max(spy.maxInFlightLater, spy.inFlight)
      spy.maxInFlightPerMaster = Math.max(spy.maxInFlightPerMaster, mine)
      try {
        if (options.delayMs !== undefined) await sleep(options.delayMs)
        return await scan(options.corrupt?.(master, call) === true ? 'not-a-cursor' : cursor, ...args)
      } finally {
        spy.inFlight--
        mine--
      }
    }
  })
  return spy
}

/** Runs `run`, then waits a little; resolves the rejections nobody handled meanwhile. */
async function unhandledRejectionsDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const record = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', record)
  try {
    await run()
    await sleep(100)
  } finally {
    process.off('unhandledRejection', record)
  }
  return seen
}

const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0)

/** What only a cluster asks of the driver: work per master, slots, hash tags. */
describe('ioredis driver on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle
  let driver: Driver
  /** Plain connections to each master, to look at what each one holds. */
  let masters: Redis[]
  const quietLogger = { warn: () => undefined }

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    driver = ioredisDriver({ cluster: cluster.nodes })
    masters = cluster.masters.map((node) => new Redis(node.port, node.host))
  })
  afterAll(async () => {
    await driver.close()
    for (const master of masters) master.disconnect()
    await cluster.stop()
  })

  /** Keys matching `pattern` on each master, read directly from that master. */
  async function keysPerMaster(pattern: string): Promise<number[]> {
    return Promise.all(
      masters.map(async (master) => {
        let cursor = '0'
        let count = 0
        do {
          const [next, keys] = await master.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
          cursor = next
          count += keys.length
        } while (cursor !== '0')
        return count
      }),
    )
  }

  it('cache.deletePattern removes every matching key on every master, and only those', async () => {
    const prefix = randomPrefix('dp')
    const cache = createCache({ driver, prefix, logger: quietLogger, env: false })
    const item = defineKey('item:{id}')
    const other = defineKey('other:{id}')
    for (let id = 0; id < 300; id++) await cache.set(item({ id }), { id })
    for (let id = 0; id < 30; id++) await cache.set(other({ id }), { id })

    const before = await keysPerMaster(`${prefix}:item:*`)
    // The keys really are spread: a SCAN of one node (what a cluster client does by default) would miss most.
    for (const count of before) expect(count).toBeGreaterThan(0)
    expect(before.reduce((a, b) => a + b, 0)).toBe(300)

    expect(await cache.deletePattern(item.pattern({}))).toBe(300)
    // The fence leaves a tombstone in place of each entry (for its TTL): every key reads as a miss.
    for (let id = 0; id < 300; id++) expect(await driver.get(`${prefix}:item:${id}`)).toMatch(/^@cf /)
    expect(await cache.get(item({ id: 7 }))).toBeUndefined()
    expect((await keysPerMaster(`${prefix}:other:*`)).reduce((a, b) => a + b, 0)).toBe(30)

    const unfenced = createCache({ driver, prefix, logger: quietLogger, env: false, fence: false })
    expect(await unfenced.deletePattern(item.pattern({}))).toBe(300)
    expect(await keysPerMaster(`${prefix}:item:*`)).toEqual([0, 0, 0])
    expect((await keysPerMaster(`${prefix}:other:*`)).reduce((a, b) => a + b, 0)).toBe(30)
  })

  it('scan yields the keys of every master', async () => {
    const prefix = randomPrefix('scan')
    const keys = Array.from({ length: 120 }, (_, i) => `${prefix}:k${i}`)
    for (const key of keys) await driver.set(key, 'v', { ttlMs: 60_000 })
    const seen = new Set<string>()
    for await (const key of driver.scan(`${prefix}:*`, { count: 10 })) seen.add(key)
    expect([...seen].sort()).toEqual([...keys].sort())
    expect(await driver.delete(keys)).toBe(120)
  })

  it('a batch over keys of different slots rejects with CROSS_SLOT and sends nothing', async () => {
    const prefix = randomPrefix('xslot')
    let second = 1
    while (keySlot(`${prefix}:${second}`) === keySlot(`${prefix}:0`)) second++
    const multiCalls = async () => {
      const stats = await Promise.all(masters.map((master) => master.info('commandstats')))
      return stats.reduce((sum, text) => sum + Number(/cmdstat_multi:calls=(\d+)/.exec(text)?.[1] ?? 0), 0)
    }
    const multisBefore = await multiCalls()
    const outcome = await driver
      .batch([
        { op: 'set', key: `${prefix}:0`, value: 'a' },
        { op: 'set', key: `${prefix}:${second}`, value: 'b' },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(isCacheError(outcome) && outcome.code).toBe('CROSS_SLOT')
    expect((outcome as Error).message).not.toContain(prefix)
    expect(await multiCalls()).toBe(multisBefore)
    expect(await driver.exists([`${prefix}:0`, `${prefix}:${second}`])).toBe(0)
  })

  it('key templates with a {hash tag} put related keys in one slot, so a batch over them runs', async () => {
    const prefix = randomPrefix('tag')
    const messages = defineKey('{{conv:{id}}}:messages')
    const meta = defineKey('{{conv:{id}}}:meta')
    const messagesKey = `${prefix}:${messages({ id: 42 }).key}`
    const metaKey = `${prefix}:${meta({ id: 42 }).key}`
    expect(messagesKey).toBe(`${prefix}:{conv:42}:messages`)
    const [slotA, slotB] = await Promise.all([masters[0]!.cluster('KEYSLOT', messagesKey), masters[0]!.cluster('KEYSLOT', metaKey)])
    expect(slotA).toBe(slotB)
    expect(await driver.batch([
      { op: 'set', key: messagesKey, value: '[]', ttlMs: 60_000 },
      { op: 'hset', key: metaKey, fields: { count: '0' } },
      { op: 'hincrby', key: metaKey, field: 'count', by: 1 },
    ])).toEqual([true, 1, 1])
    expect(await driver.hgetall(metaKey)).toEqual({ count: '1' })
    await driver.delete([messagesKey, metaKey])
  })

  it('computes the slot of a key as Redis does (hash tags, empty tags, UTF-8)', async () => {
    const keys = ['', 'a', 'user:1000', '{user1000}.following', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{}', 'a{', 'é{ü}', '😀', 'x'.repeat(300)]
    for (const key of keys) expect(keySlot(key), key).toBe(await masters[0]!.cluster('KEYSLOT', key))
  })

  it('mget, exists and delete split keys by slot and keep the caller order', async () => {
    const prefix = randomPrefix('multi')
    const keys = Array.from({ length: 50 }, (_, i) => `${prefix}:${i}`)
    for (const [i, key] of keys.entries()) if (i % 2 === 0) await driver.set(key, `v${i}`)
    const values = await driver.mget([...keys, `${prefix}:missing`])
    expect(values).toEqual([...keys.map((_, i) => (i % 2 === 0 ? `v${i}` : null)), null])
    expect(await driver.exists([...keys, keys[0]!])).toBe(26)
    expect(await driver.delete(keys)).toBe(25)
    expect(await driver.exists(keys)).toBe(0)
  })

  it('a burst of calls from a driver just created reaches every master: none fails while the masters are being connected', async () => {
    // ioredis 6 rejects a command for a node whose connection is still opening (ioredis 5 queued
    // it there); the driver has to wait for the masters before it lets the burst through.
    const fresh = ioredisDriver({ cluster: cluster.nodes })
    const prefix = randomPrefix('burst')
    const keys = Array.from({ length: 120 }, (_, i) => `${prefix}:${i}`)
    try {
      const outcomes = await Promise.allSettled(keys.map((key) => fresh.set(key, 'v', { ttlMs: 60_000 })))
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([])
      expect(await keysPerMaster(`${prefix}:*`)).not.toContain(0)
    } finally {
      await fresh.close()
      await driver.delete(keys)
    }
  })

  it('works on a Cluster client handed in, and leaves it open', async () => {
    const client = new Cluster([...cluster.nodes])
    const handed = ioredisDriver({ client })
    expect(handed.capabilities.crossSlotBatch).toBe(false)
    const prefix = randomPrefix('handed')
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:${i}`)
    for (const key of keys) await handed.set(key, 'v', { ttlMs: 60_000 })
    const seen = new Set<string>()
    for await (const key of handed.scan(`${prefix}:*`)) seen.add(key)
    expect(seen.size).toBe(30)
    await handed.close()
    expect(client.status).toBe('ready')
    expect(await client.del(...keys.slice(0, 1))).toBe(1)
    client.disconnect()
    await driver.delete(keys)
  })

  /** driver.scan on a cluster: the masters walked concurrently, one page per master at most in flight. */
  describe('scan over the masters', () => {
    let client: Cluster
    let scanDriver: Driver
    let prefix: string
    let keys: string[]
    let spy: ScanSpy | undefined
    const pattern = () => `${prefix}:*`

    beforeAll(async () => {
      client = new Cluster([...cluster.nodes])
      scanDriver = ioredisDriver({ client })
      prefix = randomPrefix('pscan')
      keys = Array.from({ length: 3000 }, (_, i) => `${prefix}:k${i}`)
      for (let i = 0; i < keys.length; i += 500) {
        await Promise.all(keys.slice(i, i + 500).map((key) => scanDriver.set(key, 'v', { ttlMs: 300_000 })))
      }
      expect(client.nodes('master')).toHaveLength(3)
    })
    afterEach(() => {
      spy?.restore()
      spy = undefined
    })
    afterAll(async () => {
      await scanDriver.delete(keys)
      await scanDriver.close()
      client.disconnect()
    })

    it('yields exactly the keys that exist, spread over every master, in many small pages', async () => {
      const perMaster = await keysPerMaster(pattern())
      for (const count of perMaster) expect(count).toBeGreaterThan(100)
      spy = spyScans(client)
      const seen = new Set<string>()
      for await (const key of scanDriver.scan(pattern(), { count: 50 })) seen.add(key)
      expect(seen).toEqual(new Set(keys))
      // COUNT 50 over ~1,000 keys per master: many pages on every master, not one big one.
      for (const calls of spy.calls) expect(calls).toBeGreaterThan(10)
    })

    it('scans the masters at the same time, never more than one SCAN in flight per master', async () => {
      spy = spyScans(client, { delayMs: 10 })
      let seen = 0
      for await (const _key of scanDriver.scan(pattern(), { count: 50 })) {
        // A consumer that is sometimes busy: the prefetch must still stay at one page per master.
        if (++seen % 250 === 0) await sleep(15)
      }
      expect(seen).toBeGreaterThanOrEqual(keys.length)
      expect(spy.maxInFlight).toBe(3)
      expect(spy.maxInFlightLater).toBeGreaterThanOrEqual(2)
      expect(spy.maxInFlightPerMaster).toBe(1)
      expect(spy.inFlight).toBe(0)
    })

    it('sends no SCAN after a break out of the for await, and leaves no rejection unhandled', async () => {
      const scanSpy = (spy = spyScans(client))
      let atBreak: number[] = []
      const unhandled = await unhandledRejectionsDuring(async () => {
        for await (const key of scanDriver.scan(pattern(), { count: 50 })) {
          expect(key.startsWith(`${prefix}:`)).toBe(true)
          // Busy with the first key: every master answered its first page meanwhile, and only the
          // master whose page is being yielded was asked for its next one.
          await sleep(100)
          atBreak = [...scanSpy.calls]
          break
        }
        expect(sum(atBreak)).toBe(4)
        expect(Math.max(...atBreak)).toBe(2)
        await sleep(200)
        expect(scanSpy.calls).toEqual(atBreak)
        expect(scanSpy.inFlight).toBe(0)
      })
      expect(unhandled).toEqual([])
    })

    it('sends no SCAN after return() on the iterator, even with a next() still pending', async () => {
      const scanSpy = (spy = spyScans(client))
      const unhandled = await unhandledRejectionsDuring(async () => {
        const iterator = scanDriver.scan(pattern(), { count: 50 })[Symbol.asyncIterator]()
        expect((await iterator.next()).done).toBe(false)
        const pending = iterator.next()
        expect(await iterator.return?.()).toEqual({ done: true, value: undefined })
        expect((await pending).done).toBe(false)
        expect((await iterator.next()).done).toBe(true)
        const atReturn = [...scanSpy.calls]
        expect(Math.max(...atReturn)).toBeLessThanOrEqual(2)
        await sleep(200)
        expect(scanSpy.calls).toEqual(atReturn)
        expect(scanSpy.inFlight).toBe(0)
      })
      expect(unhandled).toEqual([])
    })

    it('a failed page rejects the iteration with a CacheError, and the other masters stop sending', async () => {
      // The second SCAN of masters 0 and 1 is rejected by the server: the first failure rejects the
      // iteration, the second (if it was sent at all) must not surface as an unhandled rejection.
      const scanSpy = (spy = spyScans(client, { corrupt: (master, call) => master < 2 && call === 2 }))
      let outcome: unknown
      let yielded = 0
      let atFailure: number[] = []
      const unhandled = await unhandledRejectionsDuring(async () => {
        try {
          for await (const _key of scanDriver.scan(pattern(), { count: 50 })) {
            // A consumer slow enough (>= 10 ms a page) for the failure to arrive while it is busy.
            if (++yielded % 5 === 0) await sleep(1)
          }
        } catch (error) {
          outcome = error
        }
        atFailure = [...scanSpy.calls]
        await sleep(200)
      })
      expect(isCacheError(outcome) && outcome.code).toBe('DRIVER_FAILURE')
      expect((outcome as Error).message).not.toContain(prefix)
      expect(yielded).toBeGreaterThan(0)
      expect(yielded).toBeLessThan(keys.length)
      // Master 2 is never corrupted and has 20+ pages: its loop stopped with the iteration, after at
      // most its first page and the prefetch of its second (master 0 failed on its second page).
      expect(atFailure[2]).toBeLessThanOrEqual(3)
      // Nothing sent after the failure: only pages already in flight then may still have settled.
      expect(scanSpy.calls).toEqual(atFailure)
      expect(scanSpy.inFlight).toBe(0)
      expect(unhandled).toEqual([])
    })
  })

  it('info adds up the masters', async () => {
    const info = await driver.info()
    const dbsizes = await Promise.all(masters.map((master) => master.dbsize()))
    expect(info.keys).toBe(dbsizes.reduce((a, b) => a + b, 0))
    expect(info.connectedClients).toBeGreaterThanOrEqual(3)
  })
})
