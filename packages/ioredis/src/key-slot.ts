/**
 * Redis Cluster key slots: CRC16/XMODEM of the key's bytes (or of its `{hash tag}`) mod 16384,
 * as in the Redis Cluster specification. Computed here so that a batch spanning slots is
 * refused before anything is sent, and multi-key commands can be split per slot.
 */

const SLOT_COUNT = 16384
const encoder = new TextEncoder()

const CRC_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[byte] = crc
  }
  return table
})()

function crc16(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number)
  return crc
}

/**
 * The hash slot of a key. Only the part between the first `{` and the next `}` is hashed when
 * that part is non-empty, so `user:{42}:profile` and `user:{42}:roles` share a slot.
 */
export function keySlot(key: string): number {
  const bytes = encoder.encode(key)
  let from = 0
  let to = bytes.length
  const open = bytes.indexOf(0x7b /* { */)
  if (open !== -1) {
    const close = bytes.indexOf(0x7d /* } */, open + 1)
    if (close > open + 1) {
      from = open + 1
      to = close
    }
  }
  return crc16(bytes, from, to) % SLOT_COUNT
}

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
