import { COMPARE_AND_DELETE_SCRIPT, COMPARE_AND_SET_SCRIPT, compareAndSetArguments, isNoScriptReply, runScript } from '@cachette/core/redis'
import type { CallToken } from './call-runner.js'
import { type Argument, type Exec, toNumber } from './commands.js'
import { DRIVER_NAME } from './driver-errors.js'

/**
 * Lock release and the fence's write: the shared scripts of `@cachette/core/redis`, EVALSHA
 * first and EVAL once on NOSCRIPT, unless the call is already past its deadline (then nothing
 * more is sent).
 */

const retryOnNoScript = (token: CallToken) => (error: unknown) => !token.expired && error instanceof Error && isNoScriptReply(error.message)

/** Deletes `key` when it holds `expected`; resolves whether it did. */
export async function compareAndDelete(exec: Exec, key: string, expected: string, token: CallToken): Promise<boolean> {
  const reply = await runScript(
    COMPARE_AND_DELETE_SCRIPT,
    (command, script, numberOfKeys) => exec(key, [command, script, String(numberOfKeys), key, expected]),
    retryOnNoScript(token),
  )
  return toNumber(reply) === 1
}

/** Replaces `key`'s value when it holds `expected`; resolves whether it did. */
export async function compareAndSet(exec: Exec, key: string, expected: string, value: Argument, ttlMs: number | undefined, token: CallToken): Promise<boolean> {
  const args = compareAndSetArguments<Argument>(DRIVER_NAME, key, expected, value, ttlMs)
  const reply = await runScript(COMPARE_AND_SET_SCRIPT, (command, script, numberOfKeys) => exec(key, [command, script, String(numberOfKeys), ...args]), retryOnNoScript(token))
  return toNumber(reply) === 1
}
