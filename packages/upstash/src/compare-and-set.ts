import { COMPARE_AND_SET_SCRIPT, compareAndSetArguments, isNoScriptReply, runScript } from '@cachette/core/redis'
import type { Redis } from '@upstash/redis'
import { DRIVER_NAME, serverErrorText } from './driver-errors.js'

/**
 * The fence's write: the shared compare-and-set script (`@cachette/core/redis`), EVALSHA first,
 * EVAL once on NOSCRIPT. The TTL is checked before anything is sent (the script reads '0' as "no
 * TTL"). Resolves whether the value was replaced.
 */
export async function compareAndSet(client: Redis, key: string, expected: string, value: string, ttlMs: number | undefined): Promise<boolean> {
  const args = compareAndSetArguments(DRIVER_NAME, key, expected, value, ttlMs)
  const replaced = await runScript(
    COMPARE_AND_SET_SCRIPT,
    (command, script, numberOfKeys) => client.exec<number>([command, script, numberOfKeys, ...args]),
    (error) => isNoScriptReply(serverErrorText(error)),
  )
  return Number(replaced) === 1
}
