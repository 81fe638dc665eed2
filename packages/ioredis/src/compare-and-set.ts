import { COMPARE_AND_SET_SCRIPT, compareAndSetArguments, isNoScriptReply, runScript } from '@cachette/core/redis'
import type { CallToken } from './call-runner.js'
import type { CommandClient } from './commands.js'
import { DRIVER_NAME } from './driver-errors.js'

/**
 * The fence's write: the shared compare-and-set script (`@cachette/core/redis`), EVALSHA first
 * and EVAL once on NOSCRIPT, unless the call is already past its deadline (then nothing more is
 * sent). Resolves whether the value was replaced.
 */
export async function compareAndSet(client: CommandClient, key: string, expected: string, value: string | Buffer, ttlMs: number | undefined, token: CallToken): Promise<boolean> {
  // ioredis sends a Buffer argument as its bytes; the typed signature only lists strings.
  const args = compareAndSetArguments(DRIVER_NAME, key, expected, value, ttlMs) as string[]
  const reply = await runScript(
    COMPARE_AND_SET_SCRIPT,
    (command, script, numberOfKeys) => (command === 'EVALSHA' ? client.evalsha(script, numberOfKeys, ...args) : client.eval(script, numberOfKeys, ...args)),
    (error) => !token.expired && error instanceof Error && isNoScriptReply(error.message),
  )
  return Number(reply) === 1
}
