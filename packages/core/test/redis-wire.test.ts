/**
 * The Redis wire helpers of `@cachette/core/redis`, shared by the ioredis and Upstash drivers:
 * what they send (scores, bounds, LIMIT, SET / HSET arguments, scripts), what they refuse before a
 * round trip, and how they read what Redis answers (INFO, WITHSCORES, HGETALL, error replies). The
 * drivers' own suites run the same helpers against real servers.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { DriverError, InvalidOptionsError, isCacheError, type CacheError } from '../src/errors.js'
import {
  COMPARE_AND_DELETE_SCRIPT,
  COMPARE_AND_SET_SCRIPT,
  boundArgument,
  checkBatch,
  checkBound,
  checkExpire,
  checkIncrement,
  checkRange,
  checkScore,
  checkTtl,
  checkValue,
  compareAndSetArguments,
  hgetallRecord,
  hsetArguments,
  isNoScriptReply,
  parseInfo,
  parseScore,
  parseWithScores,
  redisReplyError,
  runScript,
  scoreArgument,
  setArguments,
  sumInfo,
  zaddArguments,
  zrangeByScoreArguments,
} from '../src/redis.js'
import type { BatchCommand, ScoreBound } from '../src/driver/driver.js'

const DRIVER = '@cachette/test-driver'

/** The error `run` throws (fails the test when it throws none). */
function thrown(run: () => unknown): CacheError {
  try {
    run()
  } catch (error) {
    expect(isCacheError(error)).toBe(true)
    return error as CacheError
  }
  throw new Error('expected an error, none was thrown')
}

/** An excerpt of what redis-server 7.0 answers to INFO, CRLF line ends included. */
const REDIS_7_INFO = [
  '# Server',
  'redis_version:7.0.15',
  'redis_mode:standalone',
  'os:Linux 6.18.44-fc-v1300 x86_64',
  'run_id:39cd72b0c7840997a20544f1b4f9b8aa1951cdf8',
  'executable:/usr/bin/redis-server',
  'config_file:',
  '',
  '# Clients',
  'connected_clients:3',
  'maxclients:10000',
  '',
  '# Memory',
  'used_memory:966456',
  'used_memory_human:943.80K',
  'mem_fragmentation_ratio:7.21',
  'maxmemory_policy:noeviction',
  '',
  '# Stats',
  'total_connections_received:5',
  'total_commands_processed:1284',
  'keyspace_hits:311',
  'keyspace_misses:42',
  '',
  '# Errorstats',
  'errorstat_WRONGTYPE:count=2',
  '',
  '# Keyspace',
  'db0:keys=12,expires=3,avg_ttl=59875',
  'db3:keys=5,expires=0,avg_ttl=0',
  '',
].join('\r\n')

describe('parseInfo', () => {
  it('reads the figures of a real Redis INFO answer, keys summed over every database', () => {
    expect(parseInfo(REDIS_7_INFO)).toEqual({
      usedMemoryBytes: 966456,
      keyspaceHits: 311,
      keyspaceMisses: 42,
      connectedClients: 3,
      totalCommands: 1284,
      keys: 17,
    })
  })

  it('reads LF-only answers (Upstash, proxies) and leaves out missing, empty or non-decimal fields', () => {
    const upstash = ['# Stats', 'keyspace_hits:7', 'keyspace_misses:', 'total_commands_processed:0x10', '# Memory', 'used_memory: 2048 ', '# Keyspace', 'db0:keys=4,expires=4,avg_ttl=1000', ''].join('\n')
    // keyspace_misses is empty and total_commands_processed is not a decimal: neither is reported as 0 or 16.
    expect(parseInfo(upstash)).toEqual({ keyspaceHits: 7, usedMemoryBytes: 2048, keys: 4 })
  })

  it('counts an empty Keyspace section as 0 keys, and an answer without one as unknown', () => {
    expect(parseInfo('# Stats\r\nkeyspace_hits:0\r\n\r\n# Keyspace\r\n').keys).toBe(0)
    expect(parseInfo('# Stats\r\nkeyspace_hits:0\r\n')).toEqual({ keyspaceHits: 0 })
    expect('keys' in parseInfo('# Stats\r\nkeyspace_hits:0\r\n')).toBe(false)
  })

  it('ignores lines that are not fields: no colon, a leading colon, a keyspace line without keys=', () => {
    expect(parseInfo(':used_memory:5\r\nused_memory 9\r\ndb0:expires=3\r\nconnected_clients:2\r\n')).toEqual({ connectedClients: 2 })
  })

  it('sumInfo adds the masters of a cluster, each figure present when any master reported it', () => {
    const masters = [parseInfo(REDIS_7_INFO), parseInfo('# Memory\r\nused_memory:1000\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n'), {}]
    expect(sumInfo(masters)).toEqual({
      usedMemoryBytes: 967456,
      keyspaceHits: 311,
      keyspaceMisses: 42,
      connectedClients: 3,
      totalCommands: 1284,
      keys: 20,
    })
    expect(sumInfo([])).toEqual({})
  })
})

describe('scores and bounds', () => {
  it('spells infinities as Redis reads them, and finite scores so they parse back to the same double', () => {
    expect(scoreArgument(DRIVER, 'zadd', Infinity)).toBe('+inf')
    expect(scoreArgument(DRIVER, 'zadd', -Infinity)).toBe('-inf')
    for (const score of [0, 1.5, -2.25, 0.1 + 0.2, 1e21, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2]) {
      expect(Number(scoreArgument(DRIVER, 'zadd', score))).toBe(score)
    }
  })

  it('refuses a NaN score with INVALID_OPTIONS naming the driver and operation, never sending it', () => {
    const error = thrown(() => scoreArgument(DRIVER, 'zadd', Number.NaN))
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error.code).toBe('INVALID_OPTIONS')
    expect(error.message).toBe(`[${DRIVER}] zadd: a score must be a number, not NaN`)
    expect(thrown(() => zaddArguments(DRIVER, 'zadd', [{ member: 'a', score: 1 }, { member: 'b', score: Number.NaN }])).code).toBe('INVALID_OPTIONS')
    expect(thrown(() => checkScore(DRIVER, 'zadd', '5' as unknown as number)).code).toBe('INVALID_OPTIONS')
  })

  it('spells bounds: inclusive, exclusive "(n", -inf, +inf, an exclusive infinity', () => {
    expect(boundArgument(DRIVER, 'zremRangeByScore', 5)).toBe('5')
    expect(boundArgument(DRIVER, 'zremRangeByScore', { exclusive: 5 })).toBe('(5')
    expect(boundArgument(DRIVER, 'zremRangeByScore', { exclusive: -1.5 })).toBe('(-1.5')
    expect(boundArgument(DRIVER, 'zremRangeByScore', { exclusive: -Infinity })).toBe('(-inf')
    expect(boundArgument(DRIVER, 'zremRangeByScore', '-inf')).toBe('-inf')
    expect(boundArgument(DRIVER, 'zremRangeByScore', '+inf')).toBe('+inf')
    expect(boundArgument(DRIVER, 'zremRangeByScore', Infinity)).toBe('+inf')
  })

  it.each<[string, unknown]>([
    ['NaN', Number.NaN],
    ['an exclusive NaN', { exclusive: Number.NaN }],
    ["'inf' (Redis' reply spelling, not a bound)", 'inf'],
    ['a numeric string', '5'],
    ['an exclusive string', { exclusive: '5' }],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s as a bound', (_, bound) => {
    const error = thrown(() => boundArgument(DRIVER, 'zrangeByScore', bound as ScoreBound))
    expect(error.code).toBe('INVALID_OPTIONS')
    expect(error.message).toContain('a score bound must be a number, -inf, +inf or { exclusive: number }')
    expect(() => checkBound(DRIVER, 'zrangeByScore', bound as ScoreBound)).toThrow(InvalidOptionsError)
  })

  it('builds ZRANGE BYSCORE arguments, high bound first with REV, LIMIT only when asked', () => {
    expect(zrangeByScoreArguments(DRIVER, 'zrangeByScore', '-inf', { exclusive: 10 }, undefined)).toEqual(['-inf', '(10', 'BYSCORE', 'WITHSCORES'])
    expect(zrangeByScoreArguments(DRIVER, 'zrangeByScore', 0, '+inf', { reverse: true, limit: 20 })).toEqual(['+inf', '0', 'BYSCORE', 'REV', 'LIMIT', '0', '20', 'WITHSCORES'])
    // An offset alone still needs a count: -1 is "no limit".
    expect(zrangeByScoreArguments(DRIVER, 'zrangeByScore', 1, 2, { offset: 20 })).toEqual(['1', '2', 'BYSCORE', 'LIMIT', '20', '-1', 'WITHSCORES'])
  })

  it('refuses a fractional or NaN offset / limit, and a bad bound, before building anything', () => {
    for (const options of [{ offset: 1.5 }, { limit: 0.5 }, { limit: Number.NaN }, { offset: Infinity }]) {
      expect(thrown(() => zrangeByScoreArguments(DRIVER, 'zrangeByScore', 0, 1, options)).message).toBe(`[${DRIVER}] zrangeByScore: offset and limit must be integers`)
      expect(() => checkRange(DRIVER, 'zrangeByScore', options)).toThrow(InvalidOptionsError)
    }
    expect(thrown(() => zrangeByScoreArguments(DRIVER, 'zrangeByScore', 0, Number.NaN, undefined)).code).toBe('INVALID_OPTIONS')
  })

  it('reads scores as Redis replies them, infinities included', () => {
    expect(parseScore('inf')).toBe(Infinity)
    expect(parseScore('+inf')).toBe(Infinity)
    expect(parseScore('-inf')).toBe(-Infinity)
    expect(parseScore('0.30000000000000004')).toBe(0.1 + 0.2)
    expect(parseWithScores(['low', '-inf', 'mid', '0.5', 'high', 'inf'])).toEqual([
      { member: 'low', score: -Infinity },
      { member: 'mid', score: 0.5 },
      { member: 'high', score: Infinity },
    ])
    expect(parseWithScores([])).toEqual([])
  })
})

describe('argument checks', () => {
  it.each([0, -1, 1.5, Number.NaN, Infinity, 2 ** 53])('checkTtl refuses %s', (ttlMs) => {
    const error = thrown(() => checkTtl(DRIVER, 'set', ttlMs))
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error.message).toBe(`[${DRIVER}] set: ttlMs must be an integer >= 1`)
  })

  it('checkTtl accepts integers from 1; checkExpire accepts any integer (Redis deletes at <= 0)', () => {
    expect(() => checkTtl(DRIVER, 'set', 1)).not.toThrow()
    expect(() => checkTtl(DRIVER, 'set', 2 ** 53 - 1)).not.toThrow()
    expect(() => checkExpire(DRIVER, 'pexpire', 0)).not.toThrow()
    expect(() => checkExpire(DRIVER, 'pexpire', -5)).not.toThrow()
    expect(thrown(() => checkExpire(DRIVER, 'pexpire', 1.5)).message).toBe(`[${DRIVER}] pexpire: ttlMs must be an integer`)
  })

  it('checkIncrement refuses a fraction or a number past 2^53 with NOT_INTEGER, as Redis does', () => {
    for (const by of [1.5, 2 ** 53, Number.NaN]) {
      const error = thrown(() => checkIncrement(DRIVER, 'incrby', by))
      expect(error).toBeInstanceOf(DriverError)
      expect(error.code).toBe('NOT_INTEGER')
    }
    expect(() => checkIncrement(DRIVER, 'incrby', -(2 ** 53 - 1))).not.toThrow()
  })

  it('checkValue accepts strings and bytes, and refuses anything else', () => {
    expect(() => checkValue(DRIVER, 'set', '')).not.toThrow()
    expect(() => checkValue(DRIVER, 'set', new Uint8Array([0xff]))).not.toThrow()
    for (const value of [42, null, undefined, { toString: () => 'x' }, [1, 2]]) {
      expect(thrown(() => checkValue(DRIVER, 'set', value as unknown as string)).message).toBe(`[${DRIVER}] set: value must be a string or a Uint8Array`)
    }
  })

  it('checkBatch refuses the first bad argument of any command, naming it `batch <op>`', () => {
    const good: BatchCommand[] = [
      { op: 'set', key: 'k', value: 'v', ttlMs: 1_000, condition: 'nx' },
      { op: 'pexpire', key: 'k', ttlMs: 0 },
      { op: 'zadd', key: 'z', entries: [{ member: 'm', score: -Infinity }] },
      { op: 'zremRangeByScore', key: 'z', min: '-inf', max: { exclusive: 3 } },
      { op: 'delete', keys: [] },
    ]
    expect(() => checkBatch(DRIVER, good)).not.toThrow()
    const cases: [BatchCommand, string, string][] = [
      [{ op: 'set', key: 'k', value: 'v', ttlMs: 0 }, 'INVALID_OPTIONS', 'batch set: ttlMs'],
      [{ op: 'set', key: 'k', value: 1 as unknown as string }, 'INVALID_OPTIONS', 'batch set: value'],
      [{ op: 'pexpire', key: 'k', ttlMs: 0.5 }, 'INVALID_OPTIONS', 'batch pexpire: ttlMs'],
      [{ op: 'incrby', key: 'k', by: 0.5 }, 'NOT_INTEGER', 'batch incrby:'],
      [{ op: 'hincrby', key: 'h', field: 'f', by: 2 ** 60 }, 'NOT_INTEGER', 'batch hincrby:'],
      [{ op: 'zadd', key: 'z', entries: [{ member: 'm', score: Number.NaN }] }, 'INVALID_OPTIONS', 'batch zadd: a score'],
      [{ op: 'zremRangeByScore', key: 'z', min: 0, max: { exclusive: Number.NaN } }, 'INVALID_OPTIONS', 'batch zremRangeByScore: a score bound'],
      [{ op: 'append', key: 'k' } as unknown as BatchCommand, 'INVALID_OPTIONS', "batch: unknown op 'append'"],
      [{ op: 'toString', key: 'k' } as unknown as BatchCommand, 'INVALID_OPTIONS', "batch: unknown op 'toString'"],
    ]
    for (const [bad, code, message] of cases) {
      const error = thrown(() => checkBatch(DRIVER, [...good, bad]))
      expect(error.code).toBe(code)
      expect(error.message).toContain(`[${DRIVER}] ${message}`)
    }
  })
})

describe('string and hash commands', () => {
  it('spells SET options', () => {
    expect(setArguments(undefined, undefined)).toEqual([])
    expect(setArguments(60_000, undefined)).toEqual(['PX', '60000'])
    expect(setArguments(1, 'nx')).toEqual(['PX', '1', 'NX'])
    expect(setArguments(undefined, 'xx')).toEqual(['XX'])
  })

  it('flattens HSET fields and reads HGETALL back, a "__proto__" field staying a field', () => {
    expect(hsetArguments({ name: 'Dupont', city: 'Lyon' })).toEqual(['name', 'Dupont', 'city', 'Lyon'])
    expect(hsetArguments({})).toEqual([])
    const record = hgetallRecord(['name', 'Dupont', '__proto__', 'polluted', 'city', 'Lyon'])
    expect(Object.keys(record)).toEqual(['name', '__proto__', 'city'])
    expect(record['__proto__']).toBe('polluted')
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(hsetArguments(record)).toEqual(['name', 'Dupont', '__proto__', 'polluted', 'city', 'Lyon'])
  })
})

describe('scripts', () => {
  it('ship the SHA-1 of their source (EVALSHA names them by it)', () => {
    for (const script of [COMPARE_AND_DELETE_SCRIPT, COMPARE_AND_SET_SCRIPT]) {
      expect(createHash('sha1').update(script.source).digest('hex')).toBe(script.sha1)
      expect(script.numberOfKeys).toBe(1)
      expect(Object.isFrozen(script)).toBe(true)
    }
  })

  it('compare-and-set arguments: "0" only for no TTL, a TTL of 0 refused (the script would make it permanent)', () => {
    expect(compareAndSetArguments(DRIVER, 'entry', '@cf claim', 'value', undefined)).toEqual(['entry', '@cf claim', 'value', '0'])
    expect(compareAndSetArguments(DRIVER, 'entry', '@cf claim', 'value', 60_000)).toEqual(['entry', '@cf claim', 'value', '60000'])
    const bytes = new Uint8Array([0xff, 0x00])
    expect(compareAndSetArguments(DRIVER, 'entry', 'x', bytes, 1)[2]).toBe(bytes)
    for (const ttlMs of [0, -1, 0.5]) {
      expect(thrown(() => compareAndSetArguments(DRIVER, 'entry', 'x', 'v', ttlMs)).message).toBe(`[${DRIVER}] compareAndSet: ttlMs must be an integer >= 1`)
    }
  })

  it('runScript sends EVALSHA, and EVAL with the source once when the server lost the script', async () => {
    const noScript = Object.assign(new Error('NOSCRIPT No matching script. Please use EVAL.'), { name: 'ReplyError' })
    const send = vi.fn(async (command: 'EVALSHA' | 'EVAL', _script: string, _keys: number) => {
      if (command === 'EVALSHA') throw noScript
      return 1
    })
    const isNoScript = (error: unknown) => error instanceof Error && isNoScriptReply(error.message)
    expect(await runScript(COMPARE_AND_DELETE_SCRIPT, send, isNoScript)).toBe(1)
    expect(send.mock.calls).toEqual([
      ['EVALSHA', COMPARE_AND_DELETE_SCRIPT.sha1, 1],
      ['EVAL', COMPARE_AND_DELETE_SCRIPT.source, 1],
    ])
  })

  it('runScript sends nothing more after another failure, or when the driver says no (deadline passed)', async () => {
    const wrongType = new Error('WRONGTYPE Operation against a key holding the wrong kind of value')
    const failing = vi.fn(async () => Promise.reject(wrongType))
    await expect(runScript(COMPARE_AND_SET_SCRIPT, failing, (error) => error instanceof Error && isNoScriptReply(error.message))).rejects.toBe(wrongType)
    expect(failing).toHaveBeenCalledTimes(1)
    const noScript = new Error('NOSCRIPT No matching script')
    const expired = vi.fn(async () => Promise.reject(noScript))
    await expect(runScript(COMPARE_AND_SET_SCRIPT, expired, () => false)).rejects.toBe(noScript)
    expect(expired).toHaveBeenCalledTimes(1)
    expect(isNoScriptReply(undefined)).toBe(false)
    expect(isNoScriptReply('ERR NOSCRIPT')).toBe(false)
  })
})

describe('redisReplyError', () => {
  it.each([
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'WRONG_TYPE'],
    // Redis 7 inside a script, then Redis 6's wrapping of the same error.
    ['WRONGTYPE Operation against a key holding the wrong kind of value script: 279591e9c5, on @user_script:1.', 'WRONG_TYPE'],
    ['ERR Error running script (call to f_279591e9c5): @user_script:1: WRONGTYPE Operation against a key holding the wrong kind of value', 'WRONG_TYPE'],
    ['ERR value is not an integer or out of range', 'NOT_INTEGER'],
    ['ERR hash value is not an integer', 'NOT_INTEGER'],
    ['ERR increment or decrement would overflow', 'NOT_INTEGER'],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'CROSS_SLOT'],
    ['OOM command not allowed when used memory > maxmemory', 'DRIVER_FAILURE'],
    ['READONLY You can\'t write against a read only replica.', 'DRIVER_FAILURE'],
  ])('maps %j to %s', (text, code) => {
    const cause = new Error('sanitized')
    const error = redisReplyError(DRIVER, 'hset', text, { cause })
    expect(error).toBeInstanceOf(DriverError)
    expect(error.code).toBe(code)
    expect(error.message.startsWith(`[${DRIVER}] hset`)).toBe(true)
    expect(error.cause).toBe(cause)
  })

  it('keeps only the first word of a reply that echoes the command arguments', () => {
    const error = redisReplyError(DRIVER, 'get', "ERR unknown command 'patient:42', with args beginning with: 'Jeanne' ")
    expect(error.code).toBe('DRIVER_FAILURE')
    expect(error.message).toBe(`[${DRIVER}] get failed: Redis replied ERR`)
    expect(redisReplyError(DRIVER, 'get', 'something odd').message).toBe(`[${DRIVER}] get failed: Redis replied an error`)
  })
})

describe('the @cachette/core/redis entry', () => {
  const folder = fileURLToPath(new URL('../src/redis/', import.meta.url))
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'))

  it('imports only core errors, driver types and its own files, uses no Node API, and holds no module state', () => {
    expect(files.length).toBeGreaterThan(0)
    for (const name of files) {
      // Comments may name Buffer or node:crypto (to say why they are not used): code may not.
      const code = readFileSync(`${folder}${name}`, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      for (const [, specifier] of code.matchAll(/from '([^']+)'/g)) {
        expect(specifier?.startsWith('./') === true || specifier === '../errors.js' || specifier === '../driver/driver.js', `${name} imports ${specifier}`).toBe(true)
      }
      expect(code, name).not.toMatch(/\bBuffer\b|node:|\bprocess\b|\brequire\(/)
      // Top-level `let` / `var` would be module state, and the subpath is bundled apart from the main entry.
      expect(code, name).not.toMatch(/^(?:export )?(?:let|var) /m)
    }
  })
})
