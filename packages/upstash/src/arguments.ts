import { DriverError } from '@cachette/core'
import { invalidArgumentError } from './driver-errors.js'

/*
 * Arguments checked before a request leaves, with the same errors as the memory driver, so a
 * caller sees one behaviour whatever the store, and a bad call costs no round trip.
 */

/** A TTL Redis accepts in SET PX: an integer >= 1. */
export function assertTtl(operation: string, ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw invalidArgumentError(operation, 'ttlMs must be an integer >= 1')
}

/** An increment Redis accepts: an exact integer (a JS number beyond 2^53 is not). */
export function assertIncrement(operation: string, by: number): void {
  if (!Number.isSafeInteger(by)) {
    throw new DriverError('NOT_INTEGER', `[@cachette/upstash] ${operation}: value is not an integer or out of range`)
  }
}
