import { createHash } from 'node:crypto'
import type { CallToken } from './call-runner.js'
import type { CommandClient } from './commands.js'

/**
 * Lock release: delete the key only if it still holds the caller's token, in one atomic script.
 * EVALSHA first (only 40 bytes on the wire); on NOSCRIPT (a restarted or failed-over server has
 * an empty script cache) the script is sent once with EVAL, which also caches it again.
 */
const SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`
const SHA = createHash('sha1').update(SCRIPT).digest('hex')

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** Runs the compare-and-delete script on `client`; resolves whether the key was deleted. */
export async function compareAndDelete(client: CommandClient, key: string, expected: string, token: CallToken): Promise<boolean> {
  try {
    return Number(await client.evalsha(SHA, 1, key, expected)) === 1
  } catch (error) {
    if (!isNoScript(error) || token.expired) throw error
    return Number(await client.eval(SCRIPT, 1, key, expected)) === 1
  }
}
