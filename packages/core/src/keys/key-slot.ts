/**
 * Redis Cluster hash slots, for the batch reads of core (getMany, getOrSetMany): on a driver
 * without `crossSlotBatch` one MGET may only name keys of one slot. CRC16/XMODEM of the key's
 * UTF-8 bytes, or of its `{hash tag}` when that part is non-empty, mod 16384, as in the Redis
 * Cluster specification. Exported on `@cachette/core/redis` for the drivers.
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
 * The Redis Cluster hash slot of a key (0 to 16383). Only the part between the first `{` and
 * the next `}` is hashed when that part is non-empty, so `user:{42}:profile` and
 * `user:{42}:roles` share a slot.
 *
 * @example
 * ```ts
 * keySlot('user:1000')               // 1649
 * keySlot('{user1000}.following')    // same slot as keySlot('user1000')
 * ```
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

/**
 * Indexes of `keys` grouped by hash slot, groups in first-seen order and indexes ascending
 * within each: one MGET per group on a cluster.
 *
 * @example
 * ```ts
 * groupBySlot(['{a}:1', 'b', '{a}:2']) // [[0, 2], [1]]
 * ```
 */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>()
  for (let i = 0; i < keys.length; i++) {
    const slot = keySlot(keys[i] as string)
    const group = groups.get(slot)
    if (group === undefined) groups.set(slot, [i])
    else group.push(i)
  }
  return [...groups.values()]
}
