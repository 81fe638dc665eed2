import fc from 'fast-check'
import type { ScoreBound, SortedSetEntry } from '@cachette/core'
import type { DriverConformanceQuirks } from '../quirks.js'

/*
 * The alphabet of generated commands: a few keys, values, fields and members, chosen so commands
 * collide. Without quirks one key list serves every command, so the same key gets every type
 * (WRONG_TYPE), values include every integer corner (leading zero, '-0', the 64-bit limits), and
 * members include characters that order differently in UTF-8 and UTF-16. Some quirks narrow it
 * (see DriverConformanceQuirks): the narrowing is all here, so what is left out is easy to read.
 */

/** Keys of the non-batch commands, every type on each when no quirk narrows them. */
const KEYS = ['k0', 'k1', 'k2', 'k3'] as const
/**
 * Keys only batches write, one type each and integer values only, so a generated batch can never
 * fail: Redis applies the rest of a failed EXEC while some drivers undo it, and a batch that
 * cannot fail compares the same on both.
 */
export const BATCH_STRING_KEYS = ['b:s0', 'b:s1'] as const
export const BATCH_HASH_KEY = 'b:h0'
export const BATCH_SET_KEY = 'b:t0'
export const BATCH_ZSET_KEY = 'b:z0'
const BATCH_KEYS = [...BATCH_STRING_KEYS, BATCH_HASH_KEY, BATCH_SET_KEY, BATCH_ZSET_KEY]
const ALL_KEYS = [...KEYS, ...BATCH_KEYS]

/** With `noWrongTypeErrors`: one type per key. */
const TYPED_KEYS = { string: ['k0', 'k1'], hash: ['k2'], set: ['k3'], zset: ['k4'] } as const
/** With `looseIntegerIncrements`: the only key INCRBY touches, and the only field HINCRBY touches. */
const COUNTER_KEY = 'n0'
const COUNTER_FIELD = 'n'

const VALUES = ['', 'v', 'w', 'é', '😀', 'a\u0000b', '0', '1', '-1', '42', '007', '-0', '+1', '1.5', ' 1', '9223372036854775807', '-9223372036854775808', '9223372036854775806'] as const
const FIELDS = ['f0', 'f1', 'é', ''] as const
const MEMBERS = ['a', 'b', 'B', 'aa', 'é', '😀', '\uffff', ''] as const
const SCORES = [-1.5, 0, 1, 2, 2.5, 1e10] as const
const PATTERNS = ['*', 'k*', 'k?', 'k[0-1]', 'k[^0]', 'b:*', '*0', 'b:?0', '?:*', 'k\\*'] as const

/** Every arbitrary the command generators draw from. */
export interface CommandAlphabet {
  /** A key that string writes (set, incrby, compareAndDelete) target. */
  readonly stringKey: fc.Arbitrary<string>
  /** A key that hash, set and sorted-set writes target. */
  readonly hashKey: fc.Arbitrary<string>
  readonly setKey: fc.Arbitrary<string>
  readonly zsetKey: fc.Arbitrary<string>
  /** A key that INCRBY targets and that `set` writes `counterValue` to (the string keys unless narrowed). */
  readonly counterKey: fc.Arbitrary<string> | undefined
  /** A key that type-agnostic commands (exists, delete, pttl, pexpire) target, batch keys included. */
  readonly anyKey: fc.Arbitrary<string>
  /** A key that each read command (get and mget, hgetall, smembers, zrange and zcard) targets, batch keys included. */
  readonly readStringKey: fc.Arbitrary<string>
  readonly readHashKey: fc.Arbitrary<string>
  readonly readSetKey: fc.Arbitrary<string>
  readonly readZsetKey: fc.Arbitrary<string>
  readonly value: fc.Arbitrary<string>
  readonly field: fc.Arbitrary<string>
  /** The field HINCRBY targets. */
  readonly counterField: fc.Arbitrary<string>
  readonly member: fc.Arbitrary<string>
  readonly score: fc.Arbitrary<number>
  readonly bound: fc.Arbitrary<ScoreBound>
  readonly entries: fc.Arbitrary<SortedSetEntry[]>
  readonly increment: fc.Arbitrary<number>
  readonly rangeOffset: fc.Arbitrary<number>
  readonly pattern: fc.Arbitrary<string>
}

/** The alphabet, narrowed as each quirk documents. */
export function commandAlphabet(quirks: DriverConformanceQuirks = {}): CommandAlphabet {
  const typed = quirks.noWrongTypeErrors === true
  const loose = quirks.looseIntegerIncrements === true
  const counter: string[] = loose ? [COUNTER_KEY] : []
  const all = typed ? [...Object.values(TYPED_KEYS).flat(), ...counter, ...BATCH_KEYS] : [...ALL_KEYS, ...counter]
  /** Keys of one type (and that type's batch keys) with `noWrongTypeErrors`, any key otherwise. */
  const readKeys = (keys: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...(typed ? keys : all))
  const key = fc.constantFrom(...KEYS)
  const writeKey = (keys: readonly string[]): fc.Arbitrary<string> => (typed ? fc.constantFrom(...keys) : key)
  const member = fc.constantFrom(...MEMBERS)
  const score = fc.oneof(fc.constantFrom(...SCORES), fc.integer({ min: -3, max: 3 }))
  const wholeScores = SCORES.filter((n) => Number.isInteger(n))
  const boundScore = quirks.truncatedScoreBounds === true ? fc.oneof(fc.constantFrom(...wholeScores), fc.integer({ min: -3, max: 3 })) : score
  const smallIncrement = fc.integer({ min: -5, max: 5 })
  return {
    stringKey: writeKey(TYPED_KEYS.string),
    hashKey: writeKey(TYPED_KEYS.hash),
    setKey: writeKey(TYPED_KEYS.set),
    zsetKey: writeKey(TYPED_KEYS.zset),
    counterKey: loose ? fc.constant(COUNTER_KEY) : undefined,
    anyKey: fc.constantFrom(...all),
    readStringKey: readKeys([...TYPED_KEYS.string, ...counter, ...BATCH_STRING_KEYS]),
    readHashKey: readKeys([...TYPED_KEYS.hash, BATCH_HASH_KEY]),
    readSetKey: readKeys([...TYPED_KEYS.set, BATCH_SET_KEY]),
    readZsetKey: readKeys([...TYPED_KEYS.zset, BATCH_ZSET_KEY]),
    value: fc.constantFrom(...VALUES),
    field: fc.constantFrom(...FIELDS),
    counterField: loose ? fc.constant(COUNTER_FIELD) : fc.constantFrom(...FIELDS),
    member,
    score,
    bound: fc.oneof(boundScore, fc.constantFrom<ScoreBound>('-inf', '+inf'), boundScore.map((exclusive) => ({ exclusive }))),
    entries: fc.array(fc.record({ member, score }), { minLength: 1, maxLength: 4 }),
    increment: loose ? smallIncrement : fc.oneof(smallIncrement, fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e15)),
    rangeOffset: fc.integer({ min: quirks.sliceLimitOffset === true ? 0 : -1, max: 3 }),
    pattern: fc.constantFrom(...(quirks.globAsJsRegExp === true ? PATTERNS.filter((pattern) => !/[?\\^]/.test(pattern)) : PATTERNS)),
  }
}
