import type { DriverValue } from '@cachette/core'

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

/** `[PX ttl] [NX|XX]` arguments of SET. */
export function setArgs(ttlMs: number | undefined, condition: 'nx' | 'xx' | undefined): (string | number)[] {
  const args: (string | number)[] = []
  if (ttlMs !== undefined) args.push('PX', ttlMs)
  if (condition === 'nx') args.push('NX')
  else if (condition === 'xx') args.push('XX')
  return args
}

/** `field, value, field, value...` arguments of HSET. */
export function hsetArgs(fields: Readonly<Record<string, string>>): string[] {
  const args: string[] = []
  for (const field of Object.keys(fields)) args.push(field, fields[field] as string)
  return args
}
