import { escapeGlob, matchGlob } from '@cachette/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NamespaceScope, literalHead } from '../src/namespace-scope.js'

describe('literalHead', () => {
  it.each([
    ['fhir:export:*:ej:1', 'fhir:export:'],
    ['fhir:export:venues:ej:1', 'fhir:export:venues:ej:1'],
    ['f*:', 'f'],
    ['[a-z]hir:*', ''],
    ['fhir:expor?:*', 'fhir:expor'],
    ['fhir\\:export\\:*', 'fhir:export:'],
    ['fhir\\*x', 'fhir*x'],
    ['a\\[b]*', 'a[b]'],
    ['trailing\\', 'trailing\\'],
    ['a-b^c', 'a-b^c'],
    ['', ''],
  ])('of %j is %j', (glob, head) => {
    expect(literalHead(glob)).toBe(head)
  })
})

describe('NamespaceScope', () => {
  it('admits a pattern only when its literal head starts with a namespace', () => {
    const scope = new NamespaceScope(['fhir:export:', 'fmpa:list:'])
    expect(scope.admits('fhir:export:*')).toBe(true)
    expect(scope.admits('fmpa:list:7:*')).toBe(true)
    expect(scope.admits('fhir\\:export:*')).toBe(true)
    expect(scope.admits('fhir:export*')).toBe(false)
    expect(scope.admits('[f]hir:export:*')).toBe(false)
    expect(scope.admits('fhir:import:*')).toBe(false)
  })

  it('flushes each namespace once, a namespace inside another left out, glob characters escaped', () => {
    expect(new NamespaceScope(['fhir:', 'fhir:export:', 'a*b:', 'fhir:']).flushPatterns()).toEqual(['fhir:*', `${escapeGlob('a*b:')}*`])
    expect(new NamespaceScope(['']).flushPatterns()).toEqual(['*'])
  })

  // The rule that matters: whatever pattern is admitted, Redis' own matcher (core's port of
  // stringmatchlen) never matches a key outside the namespaces. Patterns are the namespaces with
  // characters swapped for glob tokens (the widening attempts: `?`, `*`, classes, escapes), cut
  // short, with a tail; keys are the namespaces with a character changed, cut short, with a tail.
  it('never admits a pattern that matches a key outside the namespaces (property, Redis glob semantics)', () => {
    // One namespace holds glob characters itself: only its escaped spelling may stand for it.
    const namespaces = ['fh:x:', 'a-b:', 'w?[:']
    const scope = new NamespaceScope(namespaces)
    const tail = fc.oneof(fc.constant('*'), fc.constant(''), fc.array(fc.constantFrom('f', 'h', ':', 'x', 'a', '-', 'b', 'z', '*', '?', '[a-z]', '\\*'), { maxLength: 3 }).map((parts) => parts.join('')))
    const token = (c: string) => fc.constantFrom(c, c, c, '?', '*', `[${c}]`, '[a-z]', '[^q]', `\\${c}`, '[-:]', '[\\:]', '[', '\\')
    const literal = (c: string) => fc.constantFrom(c, `\\${c}`)
    const spelledOut = fc
      .constantFrom(...namespaces)
      .chain((namespace) => fc.tuple(fc.tuple(...[...namespace].map(literal)), tail))
      .map(([parts, rest]) => parts.join('') + rest)
    const widened = fc
      .constantFrom(...namespaces)
      .chain((namespace) => fc.tuple(fc.tuple(...[...namespace].map(token)), fc.nat(namespace.length), tail))
      .map(([parts, keep, rest]) => parts.slice(0, keep + 1).join('') + rest)
    const pattern = fc.oneof(spelledOut, widened)
    const keyChar = fc.constantFrom('f', 'h', ':', 'x', 'a', '-', 'b', 'z', 'q', '[', '\\', '*')
    const key = fc
      .constantFrom(...namespaces)
      .chain((namespace) => fc.tuple(fc.constant(namespace), fc.nat(namespace.length), fc.option(fc.tuple(fc.nat(namespace.length - 1), keyChar)), fc.array(keyChar, { maxLength: 3 })))
      .map(([namespace, keep, change, rest]) => {
        const chars = [...namespace]
        if (change !== null) chars[change[0]] = change[1]
        return chars.slice(0, keep + 1).join('') + rest.join('')
      })
    let admittedMatches = 0
    let outsideMatches = 0
    fc.assert(
      fc.property(pattern, key, (glob, candidate) => {
        if (!matchGlob(glob, candidate)) return true
        const inside = namespaces.some((namespace) => candidate.startsWith(namespace))
        if (!inside) outsideMatches++
        if (!scope.admits(glob)) return true
        admittedMatches++
        return inside
      }),
      { numRuns: 50_000 },
    )
    // Exercised, not vacuously true: admitted patterns matched keys, and the refused ones would have reached outside.
    expect(admittedMatches).toBeGreaterThan(200)
    expect(outsideMatches).toBeGreaterThan(200)
  })
})
