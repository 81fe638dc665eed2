import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { identityFingerprint, normalizePersonName } from '../src/index.js'

describe('identity normalization for duplicates', () => {
  it.each([
    ['KOUADIO', 'kouadio'],
    ['  Kouadio   Jean\tBaptiste ', 'kouadio jean baptiste'],
    ['Élodie Brême', 'elodie breme'],
    ['N’GUESSAN Aïcha', 'n’guessan aicha'],
    ['Straße', 'strasse'],
    ['STRAẞE', 'strasse'],
    ['Ｋｏｕａｄｉｏ', 'kouadio'],
    ['Ǆemal', 'dzemal'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizePersonName(input)).toBe(expected)
  })

  it('is idempotent on every single code point', () => {
    const unstable: string[] = []
    for (let code = 0; code < 0x110000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue
      const once = normalizePersonName(String.fromCodePoint(code))
      if (normalizePersonName(once) !== once) unstable.push(code.toString(16))
    }
    expect(unstable).toEqual([])
  })

  it('is idempotent and leaves no accent, capital or double space', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const once = normalizePersonName(name)
        expect(normalizePersonName(once)).toBe(once)
        expect(once).not.toMatch(/\p{M}|\s{2,}|^\s|\s$/u)
        expect(once).toBe(once.toLowerCase())
      }),
      { numRuns: 300 },
    )
  })

  it('gives the same fingerprint whatever the accents, case and spacing, and another for another person', () => {
    const a = identityFingerprint({ nom: 'Kouassi', prenoms: 'Adjoua  Séraphine', date_naissance: '2001-12-31' })
    expect(identityFingerprint({ nom: 'KOUASSI ', prenoms: 'adjoua seraphine', date_naissance: '2001-12-31' })).toBe(a)
    expect(identityFingerprint({ nom: 'Kouassi', prenoms: 'Adjoua Séraphine', date_naissance: '2001-12-30' })).not.toBe(a)
    expect(a).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps name parts apart: moving a word between nom and prenoms is another person', () => {
    const a = identityFingerprint({ nom: 'Kone Awa', prenoms: 'Mariam', date_naissance: '2001-01-01' })
    const b = identityFingerprint({ nom: 'Kone', prenoms: 'Awa Mariam', date_naissance: '2001-01-01' })
    expect(a).not.toBe(b)
  })
})
