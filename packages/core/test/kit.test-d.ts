import { describe, expectTypeOf, it } from 'vitest'
import { cacheKit, type CacheKit, type KitIndexOptions } from '../src/kit.js'
import { createCache, memoryDriver } from '../src/index.js'

describe('cacheKit types', () => {
  const cache = createCache({ driver: memoryDriver(), env: false })

  it('types kit.driver with the command groups the package requires', () => {
    const kit = cacheKit(cache, { name: '@x/y', label: 'y', requires: ['hashes', 'batch'] })
    expectTypeOf(kit).toEqualTypeOf<CacheKit<'hashes' | 'batch'>>()
    expectTypeOf(kit.driver.hgetall).toBeFunction()
    expectTypeOf(kit.call('get', (driver) => driver.hgetall('k'))).resolves.toEqualTypeOf<Record<string, string>>()
  })

  it('gives only the base contract without requires', () => {
    const kit = cacheKit(cache, { name: '@x/y', label: 'y' })
    // @ts-expect-error hashes were not required
    void kit.driver.hgetall
    expectTypeOf(kit.call('get', (driver) => driver.get('k'))).resolves.toEqualTypeOf<string | null>()
  })

  it('refuses an unknown capability name', () => {
    // @ts-expect-error not a capability
    cacheKit(cache, { name: '@x/y', label: 'y', requires: ['teleport'] })
  })
})

describe('kit.seal / kit.open types', () => {
  const kit = cacheKit(createCache({ driver: memoryDriver(), env: false }), { name: '@x/y', label: 'y' })
  it('seals text to text and opens text or undefined', () => {
    expectTypeOf(kit.encrypted).toEqualTypeOf<boolean>()
    expectTypeOf(kit.seal('k', 'f', 't')).resolves.toEqualTypeOf<string>()
    expectTypeOf(kit.open('k', 'f', 't')).resolves.toEqualTypeOf<string | undefined>()
    // @ts-expect-error the text is a string
    void kit.seal('k', 'f', 42)
  })
})

describe('kit.indexSubjects types', () => {
  const kit = cacheKit(createCache({ driver: memoryDriver(), env: false }), { name: '@x/y', label: 'y' })
  it('takes store keys, subjects and an optional ttlMs, and resolves nothing', () => {
    expectTypeOf(kit.indexSubjects(['k'], ['patient:1'])).resolves.toEqualTypeOf<void>()
    expectTypeOf(kit.indexSubjects(['k'], ['patient:1'], { ttlMs: 60_000 })).resolves.toEqualTypeOf<void>()
    expectTypeOf<Parameters<CacheKit['indexSubjects']>[2]>().toEqualTypeOf<KitIndexOptions | undefined>()
    // @ts-expect-error subjects are an array
    void kit.indexSubjects(['k'], 'patient:1')
    // @ts-expect-error store keys are strings
    void kit.indexSubjects([42], ['patient:1'])
    // @ts-expect-error ttlMs is a number
    void kit.indexSubjects(['k'], ['patient:1'], { ttlMs: '1h' })
  })
})
