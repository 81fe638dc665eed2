import { describe, expectTypeOf, it } from 'vitest'
import { cacheKit, type CacheKit } from '../src/kit.js'
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
