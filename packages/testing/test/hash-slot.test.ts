import { describe, expect, it } from 'vitest'
import { hashSlot } from '../src/conformance/hash-slot.js'

describe('hashSlot (Redis Cluster key slots)', () => {
  it.each([
    // CRC16/XMODEM check value 0x31C3 = 12739.
    ['123456789', 12739],
    ['foo', 12182],
    ['somekey', 11058],
  ])('slot of %j is %i', (key, slot) => {
    expect(hashSlot(key)).toBe(slot)
  })

  it('hashes only the hash tag when there is one', () => {
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'))
    expect(hashSlot('foo{hash_tag}')).toBe(hashSlot('bar{hash_tag}'))
    expect(hashSlot('cf:{abc}:x')).toBe(hashSlot('abc'))
  })

  it('ignores an empty tag and uses the first complete one', () => {
    expect(hashSlot('foo{}{bar}')).not.toBe(hashSlot('bar'))
    expect(hashSlot('foo{{bar}}zap')).toBe(hashSlot('{bar'))
    expect(hashSlot('foo{bar}{zap}')).toBe(hashSlot('bar'))
  })
})
