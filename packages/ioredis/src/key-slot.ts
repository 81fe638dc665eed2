import { keySlot } from '@cachette/core/redis'

/**
 * Redis Cluster key slots (core's `keySlot`: CRC16/XMODEM of the key's bytes, or of its
 * `{hash tag}`, mod 16384), so that a batch spanning slots is refused before anything is sent,
 * and multi-key commands can be split per slot.
 */

export { keySlot }

/** Indexes of `keys` grouped by slot, in first-seen order. */
export function groupBySlot(keys: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>()
  for (let i = 0; i < keys.length; i++) {
    const slot = keySlot(keys[i] as string)
    const group = groups.get(slot)
    if (group === undefined) groups.set(slot, [i])
    else group.push(i)
  }
  return groups
}
