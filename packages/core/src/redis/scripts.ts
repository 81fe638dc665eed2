import { checkTtl } from './arguments.js'

/*
 * The Lua scripts both Redis drivers run, with their SHA-1 written out: EVALSHA needs it, and
 * computing it at run time would take node:crypto (not on edge runtimes) or async WebCrypto.
 * The core test recomputes both. A script is sent by SHA first (40 bytes on the wire); a server
 * that does not know it (restarted, failed over, SCRIPT FLUSH) answers NOSCRIPT, and the script
 * is then sent once with EVAL, which also caches it again.
 */

/** A Lua script and what EVAL / EVALSHA need to run it. */
export interface RedisScript {
  /** The Lua source, sent with EVAL. */
  readonly source: string
  /** The SHA-1 of `source` in lower-case hex, sent with EVALSHA. */
  readonly sha1: string
  /** How many of the script's arguments are keys (the `numkeys` of EVAL). */
  readonly numberOfKeys: number
}

/**
 * Lock release: deletes KEYS[1] only if it holds ARGV[1], atomically; replies 1 when it deleted.
 * GET on a key of another type raises WRONGTYPE inside the script, which reaches the caller as
 * `WRONG_TYPE`. Arguments: `[key, expected]`.
 *
 * @example
 * ```ts
 * import { COMPARE_AND_DELETE_SCRIPT } from '@cachette/core/redis'
 *
 * await client.evalsha(COMPARE_AND_DELETE_SCRIPT.sha1, COMPARE_AND_DELETE_SCRIPT.numberOfKeys, key, token)
 * ```
 */
export const COMPARE_AND_DELETE_SCRIPT: RedisScript = Object.freeze({
  source: "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
  sha1: '2e47b373b4dbd63ee966d2eb9fe24ed6a138ad4e',
  numberOfKeys: 1,
})

/**
 * The fence's write: sets KEYS[1] to ARGV[2], with a PX of ARGV[3] ms (`'0'` for no TTL), only if
 * it holds ARGV[1], atomically; replies 1 when it replaced the value. Build its arguments with
 * {@link compareAndSetArguments}.
 *
 * @example
 * ```ts
 * import { COMPARE_AND_SET_SCRIPT, compareAndSetArguments } from '@cachette/core/redis'
 *
 * const args = compareAndSetArguments('@cachette/upstash', key, expected, value, 60_000)
 * await client.exec(['EVALSHA', COMPARE_AND_SET_SCRIPT.sha1, COMPARE_AND_SET_SCRIPT.numberOfKeys, ...args])
 * ```
 */
export const COMPARE_AND_SET_SCRIPT: RedisScript = Object.freeze({
  source:
    "if redis.call('get', KEYS[1]) == ARGV[1] then if ARGV[3] == '0' then redis.call('set', KEYS[1], ARGV[2]) else redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return 1 end return 0",
  sha1: '730237b301122143efe748651f7bd50d3dbe472f',
  numberOfKeys: 1,
})

/**
 * The `[key, expected, value, ttl]` arguments of {@link COMPARE_AND_SET_SCRIPT}. A `ttlMs` is
 * checked here (an integer >= 1, else `InvalidOptionsError`): the script reads `'0'` as "no TTL",
 * so a TTL of 0 must never reach it. `value` is passed through as it is (ioredis sends a Buffer as
 * its bytes).
 *
 * @example
 * ```ts
 * import { compareAndSetArguments } from '@cachette/core/redis'
 *
 * compareAndSetArguments('@cachette/ioredis', 'entry', '@cf claim', 'value', 60_000) // ['entry', '@cf claim', 'value', '60000']
 * compareAndSetArguments('@cachette/ioredis', 'entry', '@cf claim', 'value', undefined) // [..., '0']: no TTL
 * ```
 */
export function compareAndSetArguments<V>(driver: string, key: string, expected: string, value: V, ttlMs: number | undefined): [string, string, V, string] {
  if (ttlMs === undefined) return [key, expected, value, '0']
  checkTtl(driver, 'compareAndSet', ttlMs)
  return [key, expected, value, String(ttlMs)]
}

/**
 * True for a Redis error reply that says the server does not know the script (`NOSCRIPT ...`).
 * Give it the reply's text once the client's own wrapping is removed.
 *
 * @example
 * ```ts
 * import { isNoScriptReply } from '@cachette/core/redis'
 *
 * isNoScriptReply('NOSCRIPT No matching script. Please use EVAL.') // true
 * ```
 */
export function isNoScriptReply(text: string | undefined): boolean {
  return text !== undefined && text.startsWith('NOSCRIPT')
}

/**
 * Runs a script by SHA-1 and, when the server does not know it, once more with its source.
 * `send` issues one call: `send('EVALSHA', script.sha1, numberOfKeys)` first, then on a failure
 * that `isNoScript` accepts `send('EVAL', script.source, numberOfKeys)`; any other failure is
 * rethrown as it is. `isNoScript` is where a driver also says no when the call is already past its
 * deadline.
 *
 * @example
 * ```ts
 * import { COMPARE_AND_DELETE_SCRIPT, isNoScriptReply, runScript } from '@cachette/core/redis'
 *
 * const deleted = await runScript(
 *   COMPARE_AND_DELETE_SCRIPT,
 *   (command, script, numberOfKeys) => client.exec<number>([command, script, numberOfKeys, key, expected]),
 *   (error) => isNoScriptReply(error instanceof Error ? error.message : undefined),
 * )
 * ```
 */
export async function runScript<T>(
  script: RedisScript,
  send: (command: 'EVALSHA' | 'EVAL', script: string, numberOfKeys: number) => Promise<T>,
  isNoScript: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await send('EVALSHA', script.sha1, script.numberOfKeys)
  } catch (error) {
    if (!isNoScript(error)) throw error
    return send('EVAL', script.source, script.numberOfKeys)
  }
}
