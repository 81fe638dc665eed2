import type { Redis } from '@upstash/redis'
import { serverErrorText } from './driver-errors.js'

/**
 * Deletes KEYS[1] only if it holds ARGV[1], atomically on the server (a lock release). GET on a
 * key of another type raises WRONGTYPE inside the script, which reaches the caller as WRONG_TYPE.
 */
export const COMPARE_AND_DELETE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

/**
 * SHA-1 of {@link COMPARE_AND_DELETE_SCRIPT}, written out so the driver needs no hashing at run
 * time (no node:crypto, no async WebCrypto); a test recomputes it.
 */
export const COMPARE_AND_DELETE_SHA1 = '2e47b373b4dbd63ee966d2eb9fe24ed6a138ad4e'

/**
 * EVALSHA first (the script travels once per server, not on every call); on NOSCRIPT (a fresh
 * server, SCRIPT FLUSH) EVAL, which also caches it for the next call.
 */
export async function compareAndDelete(client: Redis, key: string, expected: string): Promise<boolean> {
  let deleted: number
  try {
    deleted = await client.exec<number>(['EVALSHA', COMPARE_AND_DELETE_SHA1, 1, key, expected])
  } catch (error) {
    if (!serverErrorText(error)?.startsWith('NOSCRIPT')) throw error
    deleted = await client.exec<number>(['EVAL', COMPARE_AND_DELETE_SCRIPT, 1, key, expected])
  }
  return deleted === 1
}
