import { describe, expect, it } from 'vitest'
import { CacheError, DriverError, InvalidKeyError, InvalidOptionsError, isCacheError } from '../src/errors.js'

// A second instance of the module, as a separately bundled entry point (`@cachette/core/redis`,
// `@cachette/core/kit`) or the CJS build beside the ESM one carries: its classes are other objects.
// A query string makes vite load the file again as another module (tsc cannot follow it: typed by hand).
const secondCopy: string = '../src/errors.js?second-copy'
const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../src/errors.js')

describe('error classes across copies of the module', () => {
  it('are other classes in the copy (the situation this guards against)', () => {
    expect(copy.DriverError).not.toBe(DriverError)
  })

  it('instanceof holds for the class and its bases, not for a sibling class', () => {
    const fromCopy = new copy.DriverError('DRIVER_FAILURE', 'the store failed')
    expect(isCacheError(fromCopy)).toBe(true)
    expect(fromCopy instanceof DriverError).toBe(true)
    expect(fromCopy instanceof CacheError).toBe(true)
    expect(fromCopy instanceof Error).toBe(true)
    expect(fromCopy instanceof InvalidOptionsError).toBe(false)
    expect(new copy.InvalidKeyError('bad key') instanceof InvalidKeyError).toBe(true)
    expect(new InvalidOptionsError('bad') instanceof copy.InvalidOptionsError).toBe(true)
  })

  it('refuses what is not a branded Cachette error, even with the same name', () => {
    class DriverErrorLookalike extends Error {}
    Object.defineProperty(DriverErrorLookalike, 'name', { value: 'DriverError' })
    expect(new DriverErrorLookalike('x') instanceof DriverError).toBe(false)
    expect({ code: 'DRIVER_FAILURE' } instanceof CacheError).toBe(false)
    expect((null as unknown as object) instanceof CacheError).toBe(false)
  })
})
