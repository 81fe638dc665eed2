import { COMPARE_AND_DELETE_SCRIPT, isNoScriptReply, runScript } from '@cachette/core/redis'
import type { Redis } from '@upstash/redis'
import { serverErrorText } from './driver-errors.js'

/**
 * Lock release: the shared compare-and-delete script (`@cachette/core/redis`), EVALSHA first (the
 * script travels once per server, not on every call), EVAL once on NOSCRIPT (a fresh server,
 * SCRIPT FLUSH), which also caches it for the next call.
 */
export async function compareAndDelete(client: Redis, key: string, expected: string): Promise<boolean> {
  const deleted = await runScript(
    COMPARE_AND_DELETE_SCRIPT,
    (command, script, numberOfKeys) => client.exec<number>([command, script, numberOfKeys, key, expected]),
    (error) => isNoScriptReply(serverErrorText(error)),
  )
  return Number(deleted) === 1
}
