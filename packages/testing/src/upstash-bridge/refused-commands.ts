/**
 * Commands the bridge refuses (HTTP 400) before they reach redis-server, and why. The bridge
 * runs every request's commands on one shared Redis connection, in front of a redis-server that
 * other test files often share: a command that changes that connection, blocks it, or changes
 * the server for every client would break the bridge or its neighbours, whatever the client
 * meant. The list follows what breaks the bridge, not Upstash's own list word for word (see the
 * README: Upstash accepts FLUSHDB and KEYS, for example).
 */
import { RefusedRequestError } from './bridge-errors.js'
import type { JsonCommand } from './request-json.js'

const SHARED_CONNECTION = "it would change the bridge's shared connection to redis-server, whose replies every request relies on"

const REASONS = new Map<string, string>()
function refuse(names: readonly string[], reason: string): void {
  for (const name of names) REASONS.set(name, reason)
}

// Pub/sub and MONITOR turn the connection into a stream: use POST /subscribe/<channel>.
refuse(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor'], `${SHARED_CONNECTION} (subscribe with POST /subscribe/<channel>)`)
// A transaction must not swallow other requests' commands: use POST /multi-exec.
refuse(['multi', 'exec', 'discard', 'watch', 'unwatch'], `${SHARED_CONNECTION} (run a transaction with POST /multi-exec)`)
// CLIENT REPLY OFF/SKIP silences replies: the next requests get the wrong answers, then hang.
// The rest of CLIENT kills, pauses or renames connections, the bridge's own included.
refuse(['client', 'select', 'quit', 'reset', 'hello', 'auth', 'sync', 'psync', 'replconf'], SHARED_CONNECTION)
refuse(
  ['blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'wait', 'waitaof'],
  'it would block the shared connection, and every other request with it',
)
refuse(
  ['config', 'debug', 'shutdown', 'acl', 'module', 'replicaof', 'slaveof', 'failover', 'migrate', 'swapdb', 'save', 'bgsave', 'bgrewriteaof'],
  'it administers redis-server for every client of it, the bridge included',
)

const FLUSH_REASON =
  'it would empty the database of every client of this redis-server; pass allowFlush: true to startUpstashBridge when the server is the bridge\'s alone'

/**
 * XREAD and XREADGROUP block only with a BLOCK option, which comes before STREAMS (and, in
 * XREADGROUP, after `GROUP <group> <consumer>`, names that may well be "block").
 */
function blocksOnStream(args: JsonCommand, first: number): boolean {
  for (let i = first; i < args.length; i++) {
    const word = String(args[i]).toLowerCase()
    if (word === 'streams') return false
    if (word === 'block') return true
  }
  return false
}

/** Why the bridge refuses this command, or undefined when it may run. */
export function refusalReason(args: JsonCommand, allowFlush: boolean): string | undefined {
  const name = String(args[0]).toLowerCase()
  const reason = REASONS.get(name)
  if (reason !== undefined) return reason
  if (name === 'flushdb' || name === 'flushall') return allowFlush ? undefined : FLUSH_REASON
  if ((name === 'xread' && blocksOnStream(args, 1)) || (name === 'xreadgroup' && blocksOnStream(args, 4))) {
    return 'BLOCK would block the shared connection, and every other request with it (read without blockMS)'
  }
  return undefined
}

/** Throws a 400 {@link RefusedRequestError} naming the first refused command of a request. */
export function assertCommandsAllowed(commands: readonly JsonCommand[], allowFlush: boolean): void {
  for (const args of commands) {
    const reason = refusalReason(args, allowFlush)
    if (reason === undefined) continue
    const name = String(args[0]).toUpperCase()
    throw new RefusedRequestError(`ERR command '${name}' is refused by the Upstash bridge: ${reason}`)
  }
}
