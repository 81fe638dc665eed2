/**
 * Documented ways a store departs from redis-server. Each quirk swaps one Redis-true assertion for
 * its exact alternative — what the store is known to do instead, asserted as strictly, so the test
 * fails if the store changes either way — and none turns an assertion off. Where a quirk makes the
 * model-based test compare less, its comment says exactly what the generated commands leave out.
 * A driver on a Redis-true store passes none.
 *
 * The ioredis-mock quirks were observed with ioredis-mock 8.13.1 behind `@cachette/ioredis`;
 * `packages/ioredis/test/ioredis-mock.test.ts` pins several of them against a real redis-server.
 */
export interface DriverConformanceQuirks {
  /**
   * When one command of a batch fails, nothing of the batch is applied (memoryDriver does this).
   * Without this quirk the suite expects what Redis EXEC does: every other command applied, and
   * the batch rejecting with the failing command's error code.
   *
   * @default false
   */
  readonly batchAllOrNothing?: boolean
  /**
   * PUBLISH counts only the subscribers connected to the node that received it (Redis Cluster:
   * a subscriber on another node gets the message over the cluster bus but is not counted). With
   * this quirk, where Redis standalone resolves 1 the suite accepts 0 or 1; delivery to the
   * subscriber is still asserted in full.
   *
   * @default false
   */
  readonly publishCountsOneNode?: boolean
  /**
   * The store never answers a command on a key of another type with a WRONGTYPE reply (seen in
   * ioredis-mock 8.13.1, which reads and writes whatever JS value the key holds). The suite then
   * asserts, command by command, what that store does instead:
   * - on a hash, `get` resolves the hash itself as a plain object, `getBytes` resolves empty bytes,
   *   `mget` returns the object in place of null, and `incrby` resolves NaN and replaces the hash
   *   with the string `'NaN'`;
   * - on a string, `hset` resolves 1 and `hdel` 0 and both leave the string as it was, `hincrby`
   *   resolves NaN (string unchanged), `hgetall` resolves the string's characters by index
   *   (`{ 0: 'v' }`), `smembers` resolves its characters (`['v']`);
   * - on a string, `sadd`, `srem`, `zadd`, `zrangeByScore`, `zrem`, `zcard` and `zremRangeByScore`
   *   reject, but with DRIVER_FAILURE: the store throws a JS TypeError, or a plain Error (not a
   *   Redis reply) that the driver cannot tell from a client failure;
   * - in a batch, an `hset` on a string resolves 1 and the batch does not fail.
   *
   * Model-based test: every generated key keeps one type (strings `k0` `k1`, hash `k2`, set `k3`,
   * sorted set `k4`; batches keep their own typed keys), so no command ever meets a key of another
   * type and WRONG_TYPE is not compared there.
   *
   * @default false
   */
  readonly noWrongTypeErrors?: boolean
  /**
   * INCRBY and HINCRBY read the stored text with JS `Number()` and add in double precision (seen in
   * ioredis-mock 8.13.1): never NOT_INTEGER, no 64-bit overflow check, integers beyond 2^53
   * rounded. The result is `Number(stored) + by` (NaN for text that is not a number, 0 for `''`
   * and `' '`) and the stored text becomes `String(result)` (`'NaN'`, `'2.5'`,
   * `'9223372036854776000'`). The suite asserts exactly that instead of NOT_INTEGER, including in a
   * batch (which then resolves, every command applied).
   *
   * Model-based test: `incrby` targets only a counter key `n0` that `set` writes small integers to,
   * `hincrby` only a counter field `n` that `hset` never writes, and increments are -5..5, so every
   * value incremented is a canonical integer far from 2^53; string and hash values that are not
   * integers are still set and read everywhere else.
   *
   * @default false
   */
  readonly looseIntegerIncrements?: boolean
  /**
   * SCAN MATCH rewrites the glob into a JS RegExp by text substitution instead of matching it as
   * Redis does (seen in ioredis-mock 8.13.1): `*` becomes `.*` and `?` becomes `.?` (zero or one
   * character), except that a `*` or `?` right after another one or after a `\` is left as a
   * RegExp quantifier; `[...]` is kept as a RegExp class (`^` is escaped, so `[^a]` is the class
   * of `^` and `a`); backslash escapes are not honoured (a `\` is a literal backslash); and
   * characters are UTF-16 code units rather than bytes. A pattern that is not a valid RegExp (a
   * reversed range `[c-a]`, an unterminated `[`) makes the scan reject. The glob test asserts, for
   * each pattern, the keys that rewrite matches (or that the scan rejects); patterns where it agrees
   * with Redis are still asserted against Redis.
   *
   * Model-based test: scan patterns are only those made of literal characters, `*` and ASCII
   * ranges (`*`, `k*`, `k[0-1]`, `b:*`, `*0`); `?`, `[^...]` and `\` escapes are not compared.
   *
   * @default false
   */
  readonly globAsJsRegExp?: boolean
  /**
   * The SCAN cursor is an index into the current list of keys (seen in ioredis-mock 8.13.1), so
   * deleting keys that a scan already returned shifts the keys after them below the cursor: keys
   * that exist for the whole scan can be skipped, which Redis guarantees never happens. The suite
   * then asserts that the delete-while-scanning loop does skip some keys, and that the keys left
   * afterwards are exactly the skipped ones.
   *
   * @default false
   */
  readonly scanCursorIsIndex?: boolean
  /**
   * Members of equal score are ordered by UTF-16 code units (JS string comparison) instead of
   * Redis's UTF-8 bytes (seen in ioredis-mock 8.13.1): `'😀'` sorts before `'\uffff'`. The suite
   * and the reference model of the model-based test expect JS `sort()` order for equal scores.
   *
   * @default false
   */
  readonly utf16MemberOrder?: boolean
  /**
   * Score bounds of ZRANGE BYSCORE and ZREMRANGEBYSCORE are read with `parseInt` (seen in
   * ioredis-mock 8.13.1): a fractional bound is cut to an integer (`2.5` is read as 2, `(2.5` as
   * `(2`) and exponent notation stops at the `e` (`1e-7` is read as 1). The suite asserts the
   * range that truncated bounds select.
   *
   * Model-based test: score bounds are whole numbers (scores themselves stay fractional).
   *
   * @default false
   */
  readonly truncatedScoreBounds?: boolean
  /**
   * ZREM and ZREMRANGEBYSCORE leave an empty sorted set behind when they remove its last member
   * (seen in ioredis-mock 8.13.1), where Redis deletes the key: EXISTS counts it, SCAN yields it,
   * PTTL and PEXPIRE see it, ZCARD is 0. The suite and the reference model of the model-based test
   * keep the empty key.
   *
   * @default false
   */
  readonly keepsEmptySortedSets?: boolean
  /**
   * ZRANGE ... LIMIT with a negative offset selects `slice(offset, offset + count)` of the ordered
   * members (to the end when count is -1), so offset -1 without a count returns the last member
   * (seen in ioredis-mock 8.13.1); Redis returns an empty list for any negative offset. The suite
   * asserts the slice.
   *
   * Model-based test: offsets are 0 or more.
   *
   * @default false
   */
  readonly sliceLimitOffset?: boolean
  /**
   * Inside a server-side script, reading a key that holds the empty string gives Lua `false`, as a
   * missing key does (seen in ioredis-mock 8.13.1, whose Lua bridge treats `''` as no reply). So
   * `compareAndDelete(key, '')` on a key holding `''` resolves false and keeps the key, where Redis
   * deletes it and resolves true. The suite and the reference model of the model-based test expect
   * exactly that; every other compareAndDelete is compared as on Redis.
   *
   * @default false
   */
  readonly emptyStringIsNilInScripts?: boolean
}
