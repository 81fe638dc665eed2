import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8Length } from '../src/memory/entry.js'

// Node's Buffer.byteLength encodes a lone surrogate as U+FFFD (3 bytes), as the estimate does.
const reference = (value: string) => Buffer.byteLength(value, 'utf8')

describe('utf8Length (the memory driver size estimate)', () => {
  it('equals the UTF-8 byte length for short and long strings of any code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2_000 }), fc.integer({ min: 0, max: 40 }), (text, repeat) => {
        const value = text.repeat(repeat)
        expect(utf8Length(value)).toBe(reference(value))
      }),
      { numRuns: 200 },
    )
  })

  it('counts a surrogate pair that straddles a native chunk boundary as 4 bytes', () => {
    for (const offset of [16_383, 16_384, 16_385, 32_767]) {
      const value = `${'a'.repeat(offset)}😀${'é'.repeat(600)}`
      expect(utf8Length(value)).toBe(reference(value))
    }
    const lone = `${'a'.repeat(16_383)}\ud83d${'b'.repeat(700)}`
    expect(utf8Length(lone)).toBe(reference(lone))
  })

  it('handles a 100 KB JSON payload, ASCII or not', () => {
    const ascii = JSON.stringify({ entries: Array.from({ length: 2_000 }, (_, i) => ({ id: i, status: 'finished' })) })
    const accented = JSON.stringify({ entries: Array.from({ length: 2_000 }, (_, i) => ({ id: i, ville: 'Saint-Étienne', note: 'réévalué' })) })
    expect(utf8Length(ascii)).toBe(reference(ascii))
    expect(utf8Length(accented)).toBe(reference(accented))
    expect(utf8Length(`@c1\n${accented}`)).toBe(reference(`@c1\n${accented}`))
  })
})
