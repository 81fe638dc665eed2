import { describe, expect, it } from 'vitest'
import { createReferenceModel, type DriverCommand } from '../src/conformance.js'

/** Runs commands on a fresh model and returns every result. */
function run(commands: DriverCommand[], exactTime = true): unknown[] {
  const model = createReferenceModel({ exactTime })
  return commands.map((command) => model.apply(command))
}

const ok = (value: unknown) => ({ ok: true, value })
const error = (code: string) => ({ ok: false, code })

describe('the reference model of Redis', () => {
  it('expires a key only once time is past its deadline', () => {
    expect(
      run([
        { op: 'set', key: 'k', value: 'v', ttlMs: 10 },
        { op: 'advance', ms: 10 },
        { op: 'pttl', key: 'k' },
        { op: 'get', key: 'k' },
        { op: 'advance', ms: 1 },
        { op: 'get', key: 'k' },
        { op: 'pttl', key: 'k' },
      ]),
    ).toEqual([ok(true), ok(null), ok(0), ok('v'), ok(null), ok(null), ok(-2)])
  })

  it('reports a positive pttl as "ttl" without an exact clock', () => {
    expect(run([{ op: 'set', key: 'k', value: 'v', ttlMs: 3_600_000 }, { op: 'pttl', key: 'k' }], false)).toEqual([ok(true), ok('ttl')])
  })

  it('parses integers as Redis string2ll and refuses to overflow', () => {
    expect(
      run([
        { op: 'set', key: 'a', value: '007' },
        { op: 'incrby', key: 'a', by: 1 },
        { op: 'set', key: 'b', value: '9223372036854775807' },
        { op: 'incrby', key: 'b', by: 1 },
        { op: 'incrby', key: 'b', by: -1 },
        { op: 'get', key: 'b' },
      ]),
    ).toEqual([ok(true), error('NOT_INTEGER'), ok(true), error('NOT_INTEGER'), ok('unsafe-integer'), ok('9223372036854775806')])
  })

  it('types keys: WRONG_TYPE for typed commands, null in mget, and set replaces any type', () => {
    expect(
      run([
        { op: 'hset', key: 'h', fields: { f: '1' } },
        { op: 'get', key: 'h' },
        { op: 'mget', keys: ['h'] },
        { op: 'sadd', key: 'h', members: ['m'] },
        { op: 'set', key: 'h', value: 'now a string' },
        { op: 'get', key: 'h' },
      ]),
    ).toEqual([ok(1), error('WRONG_TYPE'), ok([null]), error('WRONG_TYPE'), ok(true), ok('now a string')])
  })

  it('ranges a sorted set in reverse with ZRANGE ... REV LIMIT semantics', () => {
    const entries = ['a', 'b', 'c', 'd', 'e'].map((member, i) => ({ member, score: i + 1 }))
    expect(
      run([
        { op: 'zadd', key: 'z', entries },
        { op: 'zrangeByScore', key: 'z', min: 2, max: '+inf', options: { reverse: true, offset: 1, limit: 2 } },
        { op: 'zrangeByScore', key: 'z', min: { exclusive: 1 }, max: { exclusive: 5 }, options: { limit: -1, offset: 2 } },
        { op: 'zrangeByScore', key: 'z', min: '-inf', max: '+inf', options: { offset: -1 } },
      ]),
    ).toEqual([
      ok(5),
      ok([
        { member: 'd', score: 4 },
        { member: 'c', score: 3 },
      ]),
      ok([{ member: 'd', score: 4 }]),
      ok([]),
    ])
  })

  it('keeps a TTL through incrby and hset, and set clears it', () => {
    expect(
      run([
        { op: 'set', key: 'n', value: '1', ttlMs: 100 },
        { op: 'incrby', key: 'n', by: 1 },
        { op: 'pttl', key: 'n' },
        { op: 'hset', key: 'h', fields: { f: 'v' } },
        { op: 'pexpire', key: 'h', ttlMs: 50 },
        { op: 'hset', key: 'h', fields: { g: 'w' } },
        { op: 'pttl', key: 'h' },
        { op: 'set', key: 'n', value: 'x' },
        { op: 'pttl', key: 'n' },
      ]),
    ).toEqual([ok(true), ok(2), ok(100), ok(1), ok(true), ok(1), ok(50), ok(true), ok(-1)])
  })
})
