import { afterEach, describe, expect, it } from 'vitest'
import { cacheKit, FlightGroup } from '../src/kit.js'
import { createCache, defineKey, isTombstone, memoryDriver, type Driver } from '../src/index.js'
import { CircuitOpenError, DeadlineExceededError, InvalidOptionsError, MissingCapabilityError, isCacheError } from '../src/errors.js'
import { hangingDriver, throwingDriver } from './support/drivers.js'
import { recordingLogger, testCache } from './support/cache.js'
import { closePrometheusServers, prometheus, samples, valuesOf } from './support/prometheus.js'

afterEach(closePrometheusServers)

/** A driver whose every call fails while `down` is true. */
function switchableDriver(inner: Driver): { driver: Driver; setDown(down: boolean): void } {
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

describe('cacheKit', () => {
  it('refuses what is not a cache from createCache(), and invalid options, with a typed error', () => {
    const { cache } = testCache()
    expect(() => cacheKit({ ...cache }, { name: '@x/y', label: 'y' })).toThrow(InvalidOptionsError)
    expect(() => cacheKit(null as never, { name: '@x/y', label: 'y' })).toThrow(/expected a cache from createCache/)
    expect(() => cacheKit(cache, { name: '@x/y', label: 'with space' })).toThrow(/label: expected 1 to 100 letters/)
    expect(() => cacheKit(cache, { name: '', label: 'y' })).toThrow(/name: expected the package name/)
    expect(() => cacheKit(cache, { name: '@x/y', label: 'y', requires: ['teleport' as never] })).toThrow(/requires: expected capability names/)
  })

  it('checks the command groups a package requires, naming each missing one', () => {
    const memory = memoryDriver()
    const withoutHashes = new Proxy(memory, {
      get: (target, property) => (property === 'capabilities' ? { ...target.capabilities, hashes: false, batch: false } : Reflect.get(target, property)),
    })
    const narrow = createCache({ env: false, logger: recordingLogger(), driver: withoutHashes })
    const error = (() => {
      try {
        cacheKit(narrow, { name: '@cachette/patient', label: 'patient', requires: ['hashes', 'batch'] })
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(MissingCapabilityError)
    expect((error as Error).message).toContain('hashes')
    expect((error as Error).message).toContain('batch')
    const { cache } = testCache()
    const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', requires: ['hashes', 'batch'] })
    expect(kit.capabilities.hashes).toBe(true)
  })

  it('runs a store call with the cache deadline: a hung store rejects DEADLINE_EXCEEDED, counted and logged without the key', async () => {
    const { cache, logger } = testCache({ driver: hangingDriver(memoryDriver()), deadlineMs: 30 })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    const started = performance.now()
    await expect(kit.call('get', (driver) => driver.get('records:secret-id-42'))).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(kit.stats()).toMatchObject({ errors: 1, timeouts: 1 })
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]?.fields).toMatchObject({ operation: 'get', code: 'DEADLINE_EXCEEDED', keyPrefix: 'records' })
    expect(JSON.stringify(logger.lines)).not.toContain('secret-id-42')
  })

  it('maps a driver failure to a DriverError and opens the cache circuit breaker, which then skips calls', async () => {
    const { cache } = testCache({ driver: throwingDriver(memoryDriver()), circuitBreaker: { failureThreshold: 2, openDuration: '1m' } })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    const codes: string[] = []
    for (let i = 0; i < 3; i++) await kit.call('set', (driver) => driver.set('k', 'v')).catch((error) => codes.push(isCacheError(error) ? error.code : 'not a CacheError'))
    expect(codes).toEqual(['DRIVER_FAILURE', 'DRIVER_FAILURE', 'CIRCUIT_OPEN'])
    await expect(kit.call('get', (driver) => driver.get('k'))).rejects.toBeInstanceOf(CircuitOpenError)
  })

  it('passes an expected error code through as an answer: rejected, but not counted, logged or held against the breaker', async () => {
    const { cache, driver, logger } = testCache({ circuitBreaker: { failureThreshold: 1, openDuration: '1m' } })
    const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', requires: ['hashes'] })
    await driver.set('patient:1', '@cf tombstone')
    await expect(kit.call('get', (store) => store.hgetall('patient:1'), { expected: ['WRONG_TYPE'] })).rejects.toMatchObject({ code: 'WRONG_TYPE' })
    expect(kit.stats().errors).toBe(0)
    expect(logger.lines).toEqual([])
    await expect(kit.call('get', (store) => store.get('patient:1'))).resolves.toBe('@cf tombstone')
    await expect(kit.call('get', (store) => store.hgetall('patient:1'))).rejects.toMatchObject({ code: 'WRONG_TYPE' })
    expect(kit.stats().errors).toBe(1)
    expect(logger.lines).toHaveLength(1)
  })

  it('rejects with CLOSED once the cache is closed', async () => {
    const { cache } = testCache()
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await cache.close()
    expect(kit.closed).toBe(true)
    await expect(kit.call('get', (driver) => driver.get('k'))).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it("feeds the cache's own instruments with the package's key_prefix, and its stats and events", async () => {
    const { meter, scrape } = await prometheus()
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', meter, env: false, logger: recordingLogger() })
    const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient' })
    const events: string[] = []
    cache.on('hit', (event) => events.push(`hit:${event.keyPrefix}`))
    cache.on('miss', (event) => events.push(`miss:${event.keyPrefix}`))
    await kit.call('get', (driver) => driver.get('soins_suite_x_patient_cache:CI-1'))
    kit.miss()
    kit.hit()
    kit.hit()
    kit.corrupted('a record entry could not be decoded', 'DECODE_FAILED')
    await cache.get(defineKey('patient:{id}')({ id: 1 }))
    const all = samples(await scrape())
    const of = (name: string) => valuesOf(all, name)
    expect(of('cache_hits_total')).toEqual([[{ key_prefix: 'patient' }, 2]])
    expect(of('cache_misses_total')).toEqual(expect.arrayContaining([[{ key_prefix: 'patient' }, 1], [{ key_prefix: 'identity:patient' }, 1]]))
    expect(of('cache_errors_total')).toEqual([[{ operation: 'get', key_prefix: 'patient', error_code: 'DECODE_FAILED' }, 1]])
    expect(of('cache_latency_seconds_count')).toEqual(expect.arrayContaining([[{ operation: 'get', key_prefix: 'patient' }, 1]]))
    expect(kit.stats()).toMatchObject({ hits: 2, misses: 2, decodeFailures: 1 })
    expect(events).toEqual(['miss:patient', 'hit:patient', 'hit:patient', 'miss:identity:patient'])
  })

  it("adds a package's own instruments on the cache's meter, with its key_prefix", async () => {
    const { meter, scrape } = await prometheus()
    const cache = createCache({ driver: memoryDriver(), meter, env: false, logger: recordingLogger() })
    const kit = cacheKit(cache, { name: '@cachette/fhir-export', label: 'fhir_export' })
    const duration = kit.histogram('fhir.export.duration', { description: 'Duration of a FHIR export', unit: 's', boundaries: [0.01, 0.1, 1] })
    const operations = kit.counter('fhir.export.cache.operations', { description: 'FHIR export cache operations by kind' })
    duration.record(0.05, { cache: 'hit' })
    duration.record(0.5, { cache: 'miss' })
    operations.add(1, { operation: 'get' })
    operations.add(2, { operation: 'get' })
    // The exporter (0.2xx) prints the name as given, without a unit suffix: fhir_export_duration_*.
    const text = await scrape()
    const all = samples(text.split('\n').map((line) => line.replace(/^fhir_/, 'cache_fhir_')).join('\n'))
    expect(valuesOf(all, 'cache_fhir_export_duration_count')).toEqual([
      [{ cache: 'hit', key_prefix: 'fhir_export' }, 1],
      [{ cache: 'miss', key_prefix: 'fhir_export' }, 1],
    ])
    expect(valuesOf(all, 'cache_fhir_export_duration_bucket').filter(([labels]) => labels.le === '0.1')).toEqual([
      [{ cache: 'hit', key_prefix: 'fhir_export', le: '0.1' }, 1],
      [{ cache: 'miss', key_prefix: 'fhir_export', le: '0.1' }, 0],
    ])
    expect(valuesOf(all, 'cache_fhir_export_cache_operations_total')).toEqual([[{ operation: 'get', key_prefix: 'fhir_export' }, 3]])
    expect(() => kit.histogram('9 bad name', { description: 'x' })).toThrow(InvalidOptionsError)
    expect(() => kit.counter('fine.name', { description: '' })).toThrow(/description is required/)
    expect(() => kit.histogram('fine.name', { description: 'x', boundaries: [1, 0.5] })).toThrow(/ascending/)
  })

  it("logs under the package's name with its label and template, never the error's message", () => {
    const { cache, logger } = testCache()
    const kit = cacheKit(cache, { name: '@cachette/patient', label: 'patient', template: 'p:{code}' })
    kit.warn('the lock could not be taken', 'lock', 'DRIVER_FAILURE', new TypeError('ECONNREFUSED p:CI-99'))
    expect(logger.lines).toEqual([
      {
        message: '[@cachette/patient] the lock could not be taken',
        fields: { operation: 'lock', code: 'DRIVER_FAILURE', keyPrefix: 'patient', template: 'p:{code}', driver: 'memory', errorName: 'TypeError' },
      },
    ])
  })

  it('invalidates store keys with tombstones, and drops a load of them in flight in the cache', async () => {
    const { cache, driver } = testCache({ prefix: 'identity' })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    const key = defineKey('record:{id}')({ id: 7 })
    let release!: () => void
    const loading = cache.getOrSet(key, () => new Promise<string>((resolve) => (release = () => resolve('read before the commit'))))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(kit.storeKey(key)).toBe('identity:record:7')
    expect([kit.keyPrefix, kit.wire]).toEqual(['identity:', 'cachette'])
    await expect(kit.invalidate([kit.storeKey(key), 'outside:1'])).resolves.toBe('invalidated')
    release()
    await expect(loading).resolves.toBe('read before the commit')
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(isTombstone((await driver.get('identity:record:7')) as string)).toBe(true)
    expect(isTombstone((await driver.get('outside:1')) as string)).toBe(true)
    expect(await cache.get(key)).toBeUndefined()
  })

  it("queues an invalidation the store refuses in the cache's queue: pending meanwhile, applied once the store is back", async () => {
    const inner = memoryDriver()
    const { driver, setDown } = switchableDriver(inner)
    const { cache } = testCache({ driver, invalidationQueue: { retryInterval: '1h' } })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await inner.set('records:1', 'stale')
    setDown(true)
    await expect(kit.invalidate(['records:1'])).resolves.toBe('queued')
    expect(kit.pending('records:1')).toBe(true)
    expect(kit.pending('records:2')).toBe(false)
    expect(await kit.retryPending()).toBe(1)
    setDown(false)
    expect(await kit.retryPending()).toBe(0)
    expect(kit.pending('records:1')).toBe(false)
    expect(isTombstone((await inner.get('records:1')) as string)).toBe(true)
  })

  it('rejects an invalidation it cannot queue (queue off)', async () => {
    const { cache } = testCache({ driver: throwingDriver(memoryDriver()), invalidationQueue: false })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    await expect(kit.invalidate(['records:1'])).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
  })

  it("claims an empty key with the cache's fence, gives the claim back, and bounds how long a load may still write", async () => {
    const { cache, driver } = testCache({ fence: { ttl: '10s' }, deadlineMs: 100 })
    const kit = cacheKit(cache, { name: '@x/records', label: 'records' })
    expect(kit.fence.ttlMs).toBe(10_000)
    const claim = await kit.fence.claim('records:1')
    expect(claim !== undefined && isTombstone(claim)).toBe(true)
    expect(await driver.get('records:1')).toBe(claim)
    expect(await kit.fence.claim('records:1')).toBeUndefined()
    kit.fence.release('records:1', claim)
    await cache.close()
    expect(await driver.get('records:1')).toBeNull()
    expect(kit.fence.admits(performance.now())).toBe(true)
    expect(kit.fence.admits(performance.now() - 9_850)).toBe(false)
    expect(kit.fence.refused()).toBe(false)
    expect(kit.stats().fencedWrites).toBe(1)
    const { cache: unfenced } = testCache({ fence: false })
    const off = cacheKit(unfenced, { name: '@x/records', label: 'records' })
    expect(off.fence.ttlMs).toBeUndefined()
    expect(await off.fence.claim('records:1')).toBeUndefined()
  })
})

describe('FlightGroup', () => {
  it('shares one run per key between callers; an abandoned flight is flagged and the next caller starts anew', async () => {
    const flights = new FlightGroup<number>()
    let runs = 0
    let finish!: (value: number) => void
    const states: { abandoned: boolean }[] = []
    const work = (flight: { abandoned: boolean }) => {
      runs++
      states.push(flight)
      return new Promise<number>((resolve) => (finish = resolve))
    }
    const first = flights.run('a', work)
    const second = flights.run('a', work)
    expect(runs).toBe(1)
    expect(flights.size).toBe(1)
    flights.abandon('a')
    expect(states[0]?.abandoned).toBe(true)
    const third = flights.run('a', work)
    expect(runs).toBe(2)
    expect(states[1]?.abandoned).toBe(false)
    finish(2)
    expect(await third).toBe(2)
    expect(flights.size).toBe(0)
    void first
    void second
  })

  it('turns a synchronous throw into a rejection and forgets the flight', async () => {
    const flights = new FlightGroup<number>()
    await expect(
      flights.run('a', () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(flights.size).toBe(0)
  })
})

describe('kit.seal / kit.open (field values a package stores itself)', () => {
  const KEY_A = new Uint8Array(32).fill(7)
  const KEY_B = new Uint8Array(32).fill(9)
  const kitOf = (cache: ReturnType<typeof testCache>['cache']) => cacheKit(cache, { name: '@x/y', label: 'y' })
  const encrypted = (keys: Record<string, Uint8Array | string> = { a: KEY_A }, current = 'a') => testCache({ encryption: { keys, current } })

  it('passes text through unchanged without encryption, and reads plain values back as they are', async () => {
    const { cache } = testCache()
    const kit = kitOf(cache)
    expect(kit.encrypted).toBe(false)
    expect(await kit.seal('k', 'nom', 'KOUADIO')).toBe('KOUADIO')
    expect(await kit.open('k', 'nom', 'KOUADIO')).toBe('KOUADIO')
    expect(cache.stats().decryptFailures).toBe(0)
  })

  it('seals as `@s1 <keyId> <iv> <base64>` with a fresh IV, hiding the text, and opens it back', async () => {
    const { cache } = encrypted()
    const kit = kitOf(cache)
    expect(kit.encrypted).toBe(true)
    const text = 'Jean Baptiste Marie — jean.kouadio@example.com ☎ +225 07 12 34 56 78'
    const first = await kit.seal('identity:patient:1', 'email', text)
    const second = await kit.seal('identity:patient:1', 'email', text)
    expect(first).toMatch(/^@s1 a [A-Za-z0-9_-]{16} [A-Za-z0-9+/]+={0,2}$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('jean')
    expect(first).not.toContain('Baptiste')
    expect(await kit.open('identity:patient:1', 'email', first)).toBe(text)
    expect(await kit.open('identity:patient:1', 'email', second)).toBe(text)
    expect(await kit.open('k', 'f', await kit.seal('k', 'f', ''))).toBe('')
    expect(cache.stats().decryptFailures).toBe(0)
  })

  it('does not open a value moved to another field or another store key, or altered: undefined, counted and logged without key, field or value', async () => {
    const { cache, logger } = encrypted()
    const kit = kitOf(cache)
    const sealed = await kit.seal('patient:A', 'telephone', '+225 07 12 34 56 78')
    expect(await kit.open('patient:A', 'email', sealed)).toBeUndefined()
    expect(await kit.open('patient:B', 'telephone', sealed)).toBeUndefined()
    const [, k, i, ciphertext] = sealed.split(' ') as [string, string, string, string]
    const flipped = `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`
    expect(await kit.open('patient:A', 'telephone', `@s1 ${k} ${i} ${flipped}`)).toBeUndefined()
    expect(await kit.open('patient:A', 'telephone', `@s1 ${k} ${i.split('').reverse().join('')} ${ciphertext}`)).toBeUndefined()
    expect(await kit.open('patient:A', 'telephone', '@s1 not a valid seal at all')).toBeUndefined()
    expect(await kit.open('patient:A', 'telephone', sealed)).toBe('+225 07 12 34 56 78')
    expect(cache.stats().decryptFailures).toBe(5)
    const lines = logger.lines.filter((line) => line.fields.code === 'DECRYPT_FAILED')
    expect(lines).toHaveLength(5)
    const logged = JSON.stringify(logger.lines)
    for (const secret of ['patient:A', 'patient:B', 'telephone', '+225', ciphertext, i]) expect(logged).not.toContain(secret)
    expect(lines[0]?.message).toMatch(/^\[@x\/y\] a sealed field failed authentication/)
  })

  it('returns an unsealed value as it is with encryption on (written before encryption), counting nothing', async () => {
    const { cache } = encrypted()
    expect(await kitOf(cache).open('k', 'nom', 'KOUADIO')).toBe('KOUADIO')
    expect(cache.stats().decryptFailures).toBe(0)
  })

  it('opens values sealed under an old key after rotation; a cache lacking the key, or without encryption, reads undefined, counted', async () => {
    const sealedUnderA = await kitOf(encrypted({ a: KEY_A }, 'a').cache).seal('k', 'nom', 'KOUADIO')
    const rotated = encrypted({ a: KEY_A, b: KEY_B }, 'b').cache
    expect(await kitOf(rotated).open('k', 'nom', sealedUnderA)).toBe('KOUADIO')
    expect(await kitOf(rotated).seal('k', 'nom', 'KOUADIO')).toMatch(/^@s1 b /)

    const onlyB = encrypted({ b: KEY_B }, 'b')
    expect(await kitOf(onlyB.cache).open('k', 'nom', sealedUnderA)).toBeUndefined()
    expect(onlyB.cache.stats().decryptFailures).toBe(1)
    expect(onlyB.logger.lines.at(-1)?.message).toMatch(/names an encryption key this cache does not have/)

    // Another key under the same id fails authentication.
    const sameIdOtherKey = encrypted({ a: KEY_B }, 'a')
    expect(await kitOf(sameIdOtherKey.cache).open('k', 'nom', sealedUnderA)).toBeUndefined()
    expect(sameIdOtherKey.cache.stats().decryptFailures).toBe(1)

    const plain = testCache()
    expect(await kitOf(plain.cache).open('k', 'nom', sealedUnderA)).toBeUndefined()
    expect(plain.cache.stats().decryptFailures).toBe(1)
    expect(plain.logger.lines.at(-1)).toMatchObject({ message: expect.stringMatching(/read by a cache without encryption/), fields: { code: 'DECRYPT_FAILED' } })
  })

  it('takes its keys from CACHE_ENCRYPTION_KEYS / CACHE_ENCRYPTION_CURRENT like the cache', async () => {
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
    const env = { CACHE_ENCRYPTION_KEYS: `a:${b64(KEY_A)},b:${b64(KEY_B)}`, CACHE_ENCRYPTION_CURRENT: 'b' }
    const cache = createCache({ driver: memoryDriver(), env, logger: recordingLogger() })
    const kit = kitOf(cache)
    expect(kit.encrypted).toBe(true)
    const sealed = await kit.seal('k', 'nom', 'KOUADIO')
    expect(sealed).toMatch(/^@s1 b /)
    expect(await kitOf(encrypted({ b: KEY_B }, 'b').cache).open('k', 'nom', sealed)).toBe('KOUADIO')
  })
})
