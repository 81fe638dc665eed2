import { COMPARE_AND_DELETE_SCRIPT, isNoScriptReply, runScript } from '@cachette/core/redis'
import type { CallToken } from './call-runner.js'
import type { CommandClient } from './commands.js'

/**
 * Lock release: the shared compare-and-delete script (`@cachette/core/redis`), EVALSHA first and
 * EVAL once on NOSCRIPT, unless the call is already past its deadline (then nothing more is sent).
 */
export async function compareAndDelete(client: CommandClient, key: string, expected: string, token: CallToken): Promise<boolean> {
  const reply = await runScript(
    COMPARE_AND_DELETE_SCRIPT,
    (command, script, numberOfKeys) => (command === 'EVALSHA' ? client.evalsha(script, numberOfKeys, key, expected) : client.eval(script, numberOfKeys, key, expected)),
    (error) => !token.expired && error instanceof Error && isNoScriptReply(error.message),
  )
  return Number(reply) === 1
}
