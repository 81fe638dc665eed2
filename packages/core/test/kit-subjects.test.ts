import { describe, expect, it } from 'vitest'
import { cacheKit } from '../src/kit.js'
import { createCache, encodeBase64Url, InvalidKeyError, InvalidOptionsError, memoryDriver, sha256, type Driver } from '../src/index.js'
import { hangingDriver, throwingDriver } from './support/drivers.js'
import { randomPrefix, recordingLogger, testCache } from './support/cache.js'

const SECRET_SUBJECT = 'patient:CI-20250108-SECRET'

async function keysOf(driver: Driver, pattern: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of driver.scan(pattern, { count: 100 })) keys.push(key)
  return keys.sort()
}

/** A driver whose calls fail while `down` is true. */
function switchable(inner: Driver): { driver: Driver; setDown(down: boolean): void } {
  let down = false
  const failing = throwingDriver(inner)
  const driver = new Proxy(inner, {
    get: (target, property, receiver) => {
      const source = down && typeof Reflect.get(target, property) === 'function' && property !== 'close' ? failing : target
      const value = Reflect.get(source, property, source === target ? receiver : source)
      return typeof value === 'function' ? value.bind(source) : value
    },
  })
  return { driver, setDown: (value) => void (down = value) }
}

describe('kit.indexSubjects', () => {
  it('indexes keys a package writes itself (strings and HASHes): cache.forget(subject) removes them, other subjects untouched', async () => {
    const { cache, driver } = testCache()
    const kit = cacheKit(cache, { name: '@x/records', label: 'records', requires: ['hashes', 'batch'] })
    const hashA = `${kit.keyPrefix}records:hash:A`
    const jsonA = `${kit.keyPrefix}records:json:A`
    const hashB = `${kit.keyPrefix}records:hash:B`
    await kit.indexSubjects([hashA, jsonA], ['patient:A'])
    await kit.call('set', (d) => d.batch([{ op: 'hset', key: hashA, fields: { nom: 'A' } }, { op: 'pexpire', key: hashA, ttlMs: 60_000 }]))
    await kit.call('set', (d) => d.set(jsonA, '{"nom":"A"}', { ttlMs: 60_000 }))
    await kit.indexSubjects([hashB], ['patient:B'])
    await kit.call('set', (d) => d.batch([{ op: 'hset', key: hashB, fields: { nom: 'B' } }]))

    // Counted as forget counts with the fence on: entries read by GET (the HASH is removed, not counted).
    expect(await cache.forget('patient:A')).toBeGreaterThanOrEqual(1)

    // Gone as data: a tombstone (the fence) or nothing stands there, never the HASH or the JSON.
    await expect(driver.hgetall(hashA)).rejects.toMatchObject({ code: 'WRONG_TYPE' })
    expect((await driver.get(hashA))?.startsWith('@cf ')).toBe(true)
    expect((await driver.get(jsonA))?.startsWith('@cf ')).toBe(true)
    expect(await driver.hgetall(hashB)).toEqual({ nom: 'B' })
    expect(await cache.forget('patient:A')).toBe(0)
    await cache.forget('patient:B')
    expect((await driver.get(hashB))?.startsWith('@cf ')).toBe(true)
  })

  it('removes them with the fence off too (deleted), in one index shared with the cache’s own writes', async () => {
    const { cache, driver } = testCache({ fence: false })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records', requires: ['hashes'] })
    const own = `${kit.keyPrefix}records:hash:9`
    await kit.indexSubjects([own], [SECRET_SUBJECT])
    await kit.call('set', (d) => d.hset(own, { v: '1' }))
    await cache.set('note:1', { v: 1 }, { subjects: [SECRET_SUBJECT] })
    const index = await keysOf(driver, `${kit.keyPrefix}cachette:subject:*`)
    expect(index).toEqual([`${kit.keyPrefix}cachette:subject:${encodeBase64Url(sha256(SECRET_SUBJECT))}`])
    expect((await driver.smembers(index[0] as string)).sort()).toEqual([`${kit.keyPrefix}note:1`, own].sort())
    // No key name holds the subject.
    for (const key of await keysOf(driver, '*')) expect(key).not.toContain('SECRET')

    expect(await cache.forget(SECRET_SUBJECT)).toBe(2)
    expect(await driver.exists([own, `${kit.keyPrefix}note:1`, index[0] as string])).toBe(0)
  })

  it('gives the index the life of the longest entry: max(maxTtl, ttlMs) + a margin', async () => {
    const { cache, driver } = testCache({ maxTtl: '1h' })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await kit.indexSubjects([`${kit.keyPrefix}a`], ['patient:short'])
    await kit.indexSubjects([`${kit.keyPrefix}b`], ['patient:long'], { ttlMs: 86_400_000 })
    const short = await driver.pttl(`${kit.keyPrefix}cachette:subject:${encodeBase64Url(sha256('patient:short'))}`)
    const long = await driver.pttl(`${kit.keyPrefix}cachette:subject:${encodeBase64Url(sha256('patient:long'))}`)
    expect(short).toBeGreaterThan(3_600_000)
    expect(short).toBeLessThanOrEqual(3_660_000)
    expect(long).toBeGreaterThan(86_400_000)
    await expect(kit.indexSubjects([`${kit.keyPrefix}c`], ['patient:x'], { ttlMs: -1 })).rejects.toBeInstanceOf(InvalidOptionsError)
  })

  it('rejects bad subjects and store keys as cache writes do, without quoting them, and writes nothing', async () => {
    const { cache, driver, logger } = testCache()
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    const key = `${kit.keyPrefix}k`
    for (const subject of ['patient*SECRET', 'patient SECRET', 'patient{SECRET}', '', 'SECRET'.repeat(100)]) {
      const error = await kit.indexSubjects([key], [subject]).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(InvalidKeyError)
      expect((error as Error).message).not.toContain('SECRET')
    }
    await expect(kit.indexSubjects([key], [42 as never])).rejects.toBeInstanceOf(InvalidKeyError)
    await expect(kit.indexSubjects([key], 'patient:1' as never)).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(kit.indexSubjects([key], Array.from({ length: 17 }, (_, i) => `patient:${i}`))).rejects.toThrow(/at most 16/)
    await expect(kit.indexSubjects(['', key], ['patient:1'])).rejects.toBeInstanceOf(InvalidKeyError)
    await expect(kit.indexSubjects('k' as never, ['patient:1'])).rejects.toBeInstanceOf(InvalidKeyError)
    // 16 is allowed; nothing was indexed by the refused calls.
    expect(await keysOf(driver, '*cachette:subject:*')).toEqual([])
    await kit.indexSubjects([key], Array.from({ length: 16 }, (_, i) => `patient:${i}`))
    expect(await keysOf(driver, '*cachette:subject:*')).toHaveLength(16)
    for (const line of logger.lines) expect(JSON.stringify(line)).not.toContain('SECRET')
  })

  it('needs a driver with sets: MissingCapabilityError', async () => {
    const base = memoryDriver()
    const driver = new Proxy(base, {
      get: (target, name, receiver) => (name === 'capabilities' ? { ...target.capabilities, sets: false } : Reflect.get(target, name, receiver)),
    }) as Driver
    const { cache } = testCache({ driver })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await expect(kit.indexSubjects([`${kit.keyPrefix}k`], ['patient:1'])).rejects.toMatchObject({ code: 'MISSING_CAPABILITY' })
  })

  it('goes through the store-call path: a store failure rejects, counted and logged without the subject', async () => {
    const { driver, setDown } = switchable(memoryDriver())
    const logger = recordingLogger()
    const cache = createCache({ env: false, logger, driver, prefix: randomPrefix() })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    setDown(true)
    await expect(kit.indexSubjects([`${kit.keyPrefix}k`], [SECRET_SUBJECT])).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(kit.stats().errors).toBe(1)
    expect(logger.lines.length).toBeGreaterThan(0)
    for (const line of logger.lines) expect(JSON.stringify(line)).not.toContain('SECRET')
    setDown(false)
    await kit.indexSubjects([`${kit.keyPrefix}k`], [SECRET_SUBJECT])
    expect(await driver.smembers(`${kit.keyPrefix}cachette:subject:${encodeBase64Url(sha256(SECRET_SUBJECT))}`)).toEqual([`${kit.keyPrefix}k`])
  })

  it('is bounded by the cache deadline', async () => {
    const cache = createCache({ env: false, logger: recordingLogger(), driver: hangingDriver(memoryDriver()), deadlineMs: 20 })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await expect(kit.indexSubjects(['k'], ['patient:1'])).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' })
  })

  it('does nothing when the cache is disabled, or with nothing to index; rejects after close', async () => {
    const driver = memoryDriver()
    const disabled = createCache({ env: false, logger: recordingLogger(), driver, enabled: false })
    await cacheKit(disabled, { name: '@x/records', label: 'records' }).indexSubjects(['k'], ['patient:1'])
    const { cache } = testCache({ driver })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await kit.indexSubjects([], ['patient:1'])
    await kit.indexSubjects(['k'], [])
    expect(await keysOf(driver, '*')).toEqual([])
    await cache.close()
    await expect(kit.indexSubjects(['k'], ['patient:1'])).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
