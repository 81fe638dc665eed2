import type { DriverValue } from '@cachette/core'

/*
 * Values as ioredis sends and returns them. The arguments of SET and HSET are spelt by
 * `@cachette/core/redis` (setArguments, hsetArguments), shared with the Upstash driver.
 */

/** A value as ioredis sends it: strings as they are, bytes as a Buffer view (no copy). */
export function toRedisValue(value: DriverValue): string | Buffer {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value
  // A plain Uint8Array would be stringified ("1,2,3") by ioredis' argument flattening.
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/**
 * Bytes as the driver returns them: a plain `Uint8Array` copy. ioredis may hand out a slice of a
 * larger pooled buffer; a copy keeps callers from reading (or holding) the rest of it.
 */
export function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer)
}
