import { DriverError, type DriverValue } from '@cachette/core'
import { checkValue } from '@cachette/core/redis'
import { DRIVER_NAME } from './driver-errors.js'

/*
 * Values over Upstash REST. A command travels as a JSON array of strings and the server stores
 * each string's UTF-8 bytes, so only valid UTF-8 can be written; answers come back as base64 (or
 * JSON) and the client turns them into strings with a non-fatal TextDecoder, so bytes that are not
 * UTF-8 come back as U+FFFD. Hence `capabilities.binary` is false: bytes are accepted only when
 * they are valid UTF-8, in which case they round-trip exactly.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()

/** The string to send for a value; bytes that are not UTF-8 are refused, never mangled. */
export function toWireValue(operation: string, value: DriverValue): string {
  if (typeof value === 'string') return value
  checkValue(DRIVER_NAME, operation, value)
  try {
    return strictUtf8.decode(value)
  } catch {
    throw new DriverError(
      'UNSUPPORTED',
      `[${DRIVER_NAME}] ${operation}: bytes that are not valid UTF-8 cannot travel over Upstash REST (capabilities.binary is false); encode them first, e.g. as base64`,
    )
  }
}

/** A stored string as bytes (UTF-8). */
export function toBytes(value: string | null): Uint8Array | null {
  return value === null ? null : encoder.encode(value)
}
