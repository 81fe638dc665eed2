import { createCache, isCacheError, memoryDriver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createAdminHandler, type AdminHandlerOptions } from '../src/index.js'
import { TOKEN } from './support/fixtures.js'

const prefixed = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })
const bare = createCache({ driver: memoryDriver(), env: false })

/** The message of the InvalidOptionsError the options throw (fails the test when they do not). */
function problemOf(options: unknown): string {
  try {
    createAdminHandler(options as AdminHandlerOptions)
  } catch (error) {
    expect(isCacheError(error) && error.code === 'INVALID_OPTIONS').toBe(true)
    const message = (error as Error).message
    expect(message).toMatch(/^\[@cachette\/admin\] createAdminHandler options are invalid: /)
    return message
  }
  throw new Error('expected an InvalidOptionsError')
}

describe('createAdminHandler options', () => {
  it.each([
    ['no token nor authorize', { cache: prefixed }, /token or authorize is required/],
    ['both token and authorize', { cache: prefixed, token: TOKEN, authorize: () => true }, /give one of them, not both/],
    ['a token of 15 characters', { cache: prefixed, token: 'a'.repeat(15) }, /token: expected at least 16 characters/],
    ['a token over 4096 characters', { cache: prefixed, token: 'a'.repeat(4097) }, /token: expected at most 4096/],
    ['a token with a space', { cache: prefixed, token: 'a token with spaces in it' }, /token: expected letters, digits/],
    ['a token with a line feed (from an env file)', { cache: prefixed, token: `${TOKEN}\n` }, /token: expected letters, digits/],
    ['a token that is not a string', { cache: prefixed, token: 1234567890123456789 }, /token: expected a string/],
    ['an authorize that is not a function', { cache: prefixed, authorize: true }, /authorize: expected a function/],
    ['no cache', { token: TOKEN }, /cache: expected a cache from createCache\(\)/],
    ['an object that is not a cache', { cache: { deletePattern() {}, stats() {}, health() {} }, token: TOKEN }, /cache: expected a cache from createCache\(\)/],
    ['a cache without prefix and no namespaces', { cache: bare, token: TOKEN }, /namespaces: required for a cache without prefix/],
    ['an empty namespace list', { cache: bare, token: TOKEN, namespaces: [] }, /namespaces: expected at least one namespace/],
    ['an empty namespace', { cache: bare, token: TOKEN, namespaces: [''] }, /namespaces\.0: expected a non-empty namespace/],
    ['a namespace with a control character', { cache: bare, token: TOKEN, namespaces: ['fhir:\u0000'] }, /namespaces\.0: expected no control character/],
    ['a base path without a leading slash', { cache: prefixed, token: TOKEN, basePath: 'api/cache' }, /basePath/],
    ['a base path with a trailing slash', { cache: prefixed, token: TOKEN, basePath: '/api/cache/' }, /basePath/],
    ['a base path with a query', { cache: prefixed, token: TOKEN, basePath: '/api/cache?x=1' }, /basePath/],
    ['a logger without info', { cache: prefixed, token: TOKEN, logger: { warn() {} } }, /logger: expected a logger/],
    ['an unknown option', { cache: prefixed, token: TOKEN, prefix: 'identity' }, /prefix/],
  ])('refuses %s', (_name, options, message) => {
    expect(problemOf(options)).toMatch(message)
  })

  it('lists every problem in one error', () => {
    const message = problemOf({ cache: bare, token: 'short', basePath: 'nope', logger: 42 })
    expect(message).toMatch(/token: expected at least 16/)
    expect(message).toMatch(/basePath/)
    expect(message).toMatch(/logger/)
    expect(message).toMatch(/namespaces: required/)
  })

  it('never puts the token in the error', () => {
    for (const token of ['short-secret', `${TOKEN} with spaces`, `${'s3cr3t'.repeat(700)}`]) {
      try {
        createAdminHandler({ cache: prefixed, token, authorize: () => true })
        throw new Error('expected an InvalidOptionsError')
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(token.slice(0, 10))
        expect(JSON.stringify((error as Error & { cause?: unknown }).cause ?? null)).not.toContain(token.slice(0, 10))
      }
    }
  })

  it('refuses something that is not an options object', () => {
    expect(problemOf(undefined)).toMatch(/options/)
    expect(problemOf('token')).toMatch(/options/)
  })

  it('accepts a cache with a prefix and a token, a cache without one and its namespaces, or authorize', () => {
    expect(typeof createAdminHandler({ cache: prefixed, token: TOKEN })).toBe('function')
    expect(typeof createAdminHandler({ cache: bare, token: TOKEN, namespaces: ['fhir:export:'] })).toBe('function')
    expect(typeof createAdminHandler({ cache: prefixed, authorize: () => false, basePath: '/', namespaces: ['patient:'] })).toBe('function')
  })
})
