/**
 * The Redis Cluster hash slot of a key: CRC16 (XMODEM) of the key's hash tag, or of the whole key,
 * modulo 16384. The suite needs it to build a batch that surely spans two slots.
 */
export function hashSlot(key: string): number {
  const bytes = new TextEncoder().encode(key)
  let start = 0
  let end = bytes.length
  const open = bytes.indexOf(0x7b /* { */)
  if (open !== -1) {
    const close = bytes.indexOf(0x7d /* } */, open + 1)
    // An empty tag '{}' does not count: the whole key is hashed.
    if (close !== -1 && close !== open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) {
    crc ^= (bytes[i] as number) << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc % 16384
}
