/*
 * `@cachette/core/redis`: the Redis wire helpers every Redis driver needs (@cachette/ioredis,
 * @cachette/upstash, a third-party one), written once. Pure functions and frozen constants only, no
 * Node API: this entry is bundled on its own, and runs on edge runtimes.
 */
export {
  checkBatch,
  checkBound,
  checkExpire,
  checkIncrement,
  checkRange,
  checkScore,
  checkTtl,
  checkValue,
  invalidArgumentError,
} from './redis/arguments.js'
export { hgetallRecord, hsetArguments, setArguments } from './redis/commands.js'
export { parseInfo, sumInfo } from './redis/info.js'
export { groupBySlot, keySlot } from './keys/key-slot.js'
export { redisReplyError, replyErrorPrefix } from './redis/reply-errors.js'
export { boundArgument, parseScore, parseWithScores, scoreArgument, zaddArguments, zrangeByScoreArguments } from './redis/scores.js'
export { COMPARE_AND_DELETE_SCRIPT, COMPARE_AND_SET_SCRIPT, compareAndSetArguments, isNoScriptReply, runScript } from './redis/scripts.js'
export type { RedisScript } from './redis/scripts.js'
export { splitRedisUrl } from './redis/url-credentials.js'
export type { ExplicitConnection, SplitRedisUrl } from './redis/url-credentials.js'
