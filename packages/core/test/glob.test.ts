import { describe, expect, it } from 'vitest'
import { compileGlob, escapeGlob, matchGlob } from '../src/keys/glob.js'

describe('matchGlob (Redis stringmatchlen semantics)', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[a-c]x', 'bx', true],
    ['[c-a]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['[\\]]', ']', true],
    ['ab[', 'abc', false],
    ['a[^', 'ab', true],
    ['?', 'é', false],
    ['??', 'é', true],
    ['é*', 'été', true],
    ['user:*:profile', 'user:7:profile', true],
    ['user:*:profile', 'user:7:profiles', false],
    ['**a', 'bba', true],
    ['**', '', false],
  ])('%j against %j is %s', (pattern, key, expected) => {
    expect(matchGlob(pattern, key)).toBe(expected)
    expect(compileGlob(pattern)(key)).toBe(expected)
  })

  it('escapeGlob makes every special character literal', () => {
    const literal = 'a*b?c[d]e\\f^g-h'
    const pattern = escapeGlob(literal)
    expect(matchGlob(pattern, literal)).toBe(true)
    expect(matchGlob(pattern, 'aXb?c[d]e\\f^g-h')).toBe(false)
    expect(matchGlob(`${escapeGlob('*')}:x`, 'anything:x')).toBe(false)
  })
})
