import type { Redis } from '@upstash/redis'
import { serverErrorText } from './driver-errors.js'

/**
 * The fence's write: sets KEYS[1] to ARGV[2] (with a PX of ARGV[3] ms, '0' for none) only if it
 * holds ARGV[1], atomically on the server. GET on a key of another type raises WRONGTYPE inside
 * the script, which reaches the caller as WRONG_TYPE.
 */
export const COMPARE_AND_SET_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then if ARGV[3] == '0' then redis.call('set', KEYS[1], ARGV[2]) else redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return 1 end return 0"

/** SHA-1 of {@link COMPARE_AND_SET_SCRIPT}, written out (no hashing at run time); a test recomputes it. */
export const COMPARE_AND_SET_SHA1 = '730237b301122143efe748651f7bd50d3dbe472f'

/** EVALSHA first; on NOSCRIPT, EVAL (which caches it for the next call). */
export async function compareAndSet(client: Redis, key: string, expected: string, value: string, ttlMs: number | undefined): Promise<boolean> {
  const args = [1, key, expected, value, String(ttlMs ?? 0)]
  let replaced: number
  try {
    replaced = await client.exec<number>(['EVALSHA', COMPARE_AND_SET_SHA1, ...args])
  } catch (error) {
    if (!serverErrorText(error)?.startsWith('NOSCRIPT')) throw error
    replaced = await client.exec<number>(['EVAL', COMPARE_AND_SET_SCRIPT, ...args])
  }
  return replaced === 1
}
