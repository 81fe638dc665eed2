import { createHash } from 'node:crypto'
import type { CallToken } from './call-runner.js'
import type { CommandClient } from './commands.js'

/**
 * The fence's write: replace the key's value (and TTL) only if it still holds ARGV[1], in one
 * atomic script. ARGV[3] is the TTL in ms, '0' for none. EVALSHA first; on NOSCRIPT (a restarted
 * or failed-over server) the script is sent once with EVAL, which caches it again.
 */
const SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then
  if ARGV[3] == '0' then redis.call('set', KEYS[1], ARGV[2]) else redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
  return 1
end
return 0`
const SHA = createHash('sha1').update(SCRIPT).digest('hex')

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** Runs the compare-and-set script on `client`; resolves whether the value was replaced. */
export async function compareAndSet(client: CommandClient, key: string, expected: string, value: string | Buffer, ttlMs: number | undefined, token: CallToken): Promise<boolean> {
  // ioredis sends a Buffer argument as its bytes; the typed signature only lists strings.
  const args = [key, expected, value, String(ttlMs ?? 0)] as string[]
  try {
    return Number(await client.evalsha(SHA, 1, ...args)) === 1
  } catch (error) {
    if (!isNoScript(error) || token.expired) throw error
    return Number(await client.eval(SCRIPT, 1, ...args)) === 1
  }
}
