import { COMPARE_AND_DELETE_SCRIPT, COMPARE_AND_SET_SCRIPT } from '@cachette/core/redis'
import { Script } from '@valkey/valkey-glide'

/**
 * The Lua scripts of the driver, as GLIDE `Script` objects: GLIDE sends EVALSHA and falls back to
 * EVAL by itself after a NOSCRIPT (a restarted or failed-over server), routed by the key on a
 * cluster. A GLIDE Script lives in the native core until `release()`; the driver releases its
 * own when it closes.
 */

/**
 * ZRANGE ... WITHSCORES from inside Lua, where the reply is RESP2: scores as text, `inf` and
 * `-inf` included. Over RESP3 (GLIDE's protocol) scores are doubles, and GLIDE 2.5.2 returns an
 * infinite score as `null`, which could not be told from `-inf`.
 */
const ZRANGE_WITH_SCORES_SOURCE = "return redis.call('ZRANGE', KEYS[1], unpack(ARGV))"

/** The driver's scripts. */
export class DriverScripts {
  readonly compareAndDelete = new Script(COMPARE_AND_DELETE_SCRIPT.source)
  readonly compareAndSet = new Script(COMPARE_AND_SET_SCRIPT.source)
  readonly zrangeWithScores = new Script(ZRANGE_WITH_SCORES_SOURCE)

  /** Frees the native copies. */
  release(): void {
    this.compareAndDelete.release()
    this.compareAndSet.release()
    this.zrangeWithScores.release()
  }
}
