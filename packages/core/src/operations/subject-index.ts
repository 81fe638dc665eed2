import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import type { BaseDriver, DriverWith } from '../driver/driver.js'
import { hasCapabilities } from '../driver/driver-capabilities.js'
import { InvalidKeyError, InvalidOptionsError, MissingCapabilityError } from '../errors.js'
import { encodeBase64Url, sha256 } from '../keys/sha256.js'
import type { LabelAttributes } from '../observability/metrics.js'

/**
 * The subject index behind `cache.forget()` (erasure by data subject). Each data subject named by
 * a write has a SET at `<prefix>cachette:subject:<SHA-256 of the subject, base64url>` holding the
 * full store keys of its entries: the subject itself never appears in a key name, a log or the
 * bus. A write adds its key to the SET of each of its subjects BEFORE it writes the entry (an
 * entry that exists is always indexed; a failed index write means no entry) and extends the
 * SET's life to maxTtl + {@link INDEX_MARGIN_MS}, longer than any entry it lists can live.
 */

/** How much longer than maxTtl an index SET lives after its last addition. */
const INDEX_MARGIN_MS = 60_000
const SETS = ['sets'] as const
const BATCH = ['batch'] as const

/** The subjects of one write, resolved when it is planned. */
export interface SubjectWrite {
  /** The index SET of each subject (its key name holds only the subject's hash). */
  readonly indexKeys: readonly string[]
  /** This process's forget count when the write was planned: a forget of one of its subjects since then cancels the write. */
  readonly epoch: number
}

/** Per runtime: the writes in flight per index key, and the forget count when each index was last forgotten. */
interface SubjectState {
  readonly pending: Map<string, Set<Promise<unknown>>>
  readonly forgottenAt: Map<string, number>
  forgets: number
}

const states = new WeakMap<CacheRuntime, SubjectState>()
/** Index keys remembered at most per runtime as "forgotten at" (older ones are dropped, oldest first). */
const MAX_REMEMBERED_FORGETS = 10_000

function stateOf(rt: CacheRuntime): SubjectState {
  let state = states.get(rt)
  if (state === undefined) {
    state = { pending: new Map(), forgottenAt: new Map(), forgets: 0 }
    states.set(rt, state)
  }
  return state
}

/**
 * The store key of a subject's index: the cache prefix, then the subject's SHA-256 in base64url.
 *
 * @example
 * ```ts
 * subjectIndexKey('identity:', 'patient:42') // 'identity:cachette:subject:<43 base64url characters>'
 * ```
 */
export function subjectIndexKey(keyPrefix: string, subject: string): string {
  return `${keyPrefix}cachette:subject:${encodeBase64Url(sha256(subject))}`
}

/**
 * The driver, typed with its sets; a MissingCapabilityError when it has none (subjects need them).
 *
 * @example
 * ```ts
 * const driver = subjectDriver(rt) // throws MISSING_CAPABILITY on a driver without sets
 * ```
 */
export function subjectDriver(rt: CacheRuntime): BaseDriver & DriverWith<'sets'> {
  const driver = rt.config.driver as BaseDriver
  if (!hasCapabilities(driver, SETS)) throw new MissingCapabilityError('@cachette/core subjects and forget()', driver.name, ['sets'])
  return driver
}

/**
 * The subjects of a write being planned: checked (InvalidKeyError), their index keys, and the
 * forget count now. Undefined when the write names none.
 *
 * @throws InvalidKeyError for a bad subject or too many; MissingCapabilityError when the driver has no sets.
 * @example
 * ```ts
 * const subjects = planSubjects(rt, key, spec, options?.subjects)
 * ```
 */
export function planSubjects(rt: CacheRuntime, key: Key<unknown> | string, spec: KeySpec | undefined, callSubjects: readonly string[] | undefined): SubjectWrite | undefined {
  const subjects = rt.keys.subjectsOf(key, spec, callSubjects)
  if (subjects.length === 0) return undefined
  subjectDriver(rt)
  const keyPrefix = rt.config.keyPrefix
  return { indexKeys: subjects.map((subject) => subjectIndexKey(keyPrefix, subject)), epoch: stateOf(rt).forgets }
}

/**
 * Runs the write of an entry that names subjects: first its key is added to each subject's index
 * (`indexed`, which the write awaits before its SET), and the write is known to this process's
 * forget() until it settles, so a forget waits for it and then removes it. A write planned before
 * a forget of one of its subjects (a load that read the old data) is cancelled: false.
 *
 * @example
 * ```ts
 * return writeWithSubjects(rt, write, write.subjects, (indexed) => storeEntryNow(rt, write, tokens, fence, indexed))
 * ```
 */
export function writeWithSubjects(
  rt: CacheRuntime,
  target: { readonly fullKey: string; readonly spec: KeySpec | undefined; readonly attributes: LabelAttributes; readonly ttlMs: number },
  subjects: SubjectWrite,
  write: (indexed: Promise<void>) => Promise<boolean>,
): Promise<boolean> {
  const state = stateOf(rt)
  if (subjects.indexKeys.some((indexKey) => (state.forgottenAt.get(indexKey) ?? -1) >= subjects.epoch)) {
    rt.stats.fencedWrites++
    return Promise.resolve(false)
  }
  const indexed = indexEntry(rt, target, subjects.indexKeys)
  indexed.catch(() => undefined)
  const running = write(indexed)
  for (const indexKey of subjects.indexKeys) {
    let set = state.pending.get(indexKey)
    if (set === undefined) state.pending.set(indexKey, (set = new Set()))
    set.add(running)
  }
  const settled = () => {
    for (const indexKey of subjects.indexKeys) {
      const set = state.pending.get(indexKey)
      set?.delete(running)
      if (set?.size === 0) state.pending.delete(indexKey)
    }
  }
  running.then(settled, settled)
  return running
}

/** SADD the entry's key to each index, and PEXPIRE the index past any entry it lists (one atomic batch per index where the driver can). */
function indexEntry(rt: CacheRuntime, target: { readonly fullKey: string; readonly spec: KeySpec | undefined; readonly attributes: LabelAttributes; readonly ttlMs: number }, indexKeys: readonly string[]): Promise<void> {
  return addToIndexes(rt, [target.fullKey], indexKeys, target.ttlMs, target.attributes, target.spec)
}

/** SADD `members` to each index and PEXPIRE it to max(maxTtl, ttlMs) + the margin: one store call (an atomic batch where the driver can) per index. */
async function addToIndexes(rt: CacheRuntime, members: readonly string[], indexKeys: readonly string[], ttlMs: number, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<void> {
  const driver = subjectDriver(rt)
  const indexTtlMs = Math.max(rt.config.maxTtlMs, ttlMs) + INDEX_MARGIN_MS
  await Promise.all(
    indexKeys.map((indexKey) =>
      rt.store.call('set', attributes, spec, async () => {
        // One key per batch: one hash slot, so atomic on a Redis Cluster too.
        if (hasCapabilities(driver, BATCH)) {
          await driver.batch([{ op: 'sadd', key: indexKey, members }, { op: 'pexpire', key: indexKey, ttlMs: indexTtlMs }])
          return
        }
        await driver.sadd(indexKey, members)
        await driver.pexpire(indexKey, indexTtlMs)
      }),
    ),
  )
}

/**
 * For `kit.indexSubjects`: adds store keys a domain package is about to write itself (a HASH, a
 * JSON string) to the index of each subject, with the checks and limits of a cache write
 * (InvalidKeyError, never quoting a subject) and the lifetime of the index of a cache write
 * (max(maxTtl, `ttlMs`) + the margin). Through `rt.store.call` (deadline, breaker, metrics);
 * rejects on a store failure, and the package then must not write.
 *
 * @throws InvalidKeyError for a bad store key, a bad subject or too many; MissingCapabilityError when the driver has no sets.
 * @example
 * ```ts
 * await indexStoreKeys(rt, [hashKey], ['patient:CI-1'], ttlMs, attributes)
 * ```
 */
export async function indexStoreKeys(rt: CacheRuntime, storeKeys: readonly string[], subjects: readonly string[], ttlMs: number, attributes: LabelAttributes): Promise<void> {
  if (!Array.isArray(storeKeys) || storeKeys.some((storeKey) => typeof storeKey !== 'string' || storeKey.length === 0)) {
    throw new InvalidKeyError('[@cachette/core] indexSubjects expects an array of non-empty store keys')
  }
  if (!Array.isArray(subjects)) throw new InvalidOptionsError('[@cachette/core] subjects must be an array of strings')
  const checked = rt.keys.subjectsOf('', undefined, subjects)
  subjectDriver(rt)
  if (!rt.config.enabled || checked.length === 0 || storeKeys.length === 0) return
  if (rt.closed) throw rt.store.closedError('set')
  const keyPrefix = rt.config.keyPrefix
  await addToIndexes(rt, [...new Set(storeKeys)], checked.map((subject) => subjectIndexKey(keyPrefix, subject)), ttlMs, attributes, undefined)
}

/**
 * For forget(): marks these indexes forgotten now (a write planned earlier in this process will
 * not be stored) and resolves once the writes in flight for them have settled.
 *
 * @example
 * ```ts
 * await quiesceSubjects(rt, indexKeys)
 * ```
 */
export async function quiesceSubjects(rt: CacheRuntime, indexKeys: readonly string[]): Promise<void> {
  const state = stateOf(rt)
  const epoch = state.forgets++
  const inFlight: Promise<unknown>[] = []
  for (const indexKey of indexKeys) {
    if (state.forgottenAt.size >= MAX_REMEMBERED_FORGETS && !state.forgottenAt.has(indexKey)) {
      const oldest = state.forgottenAt.keys().next().value
      if (oldest !== undefined) state.forgottenAt.delete(oldest)
    }
    state.forgottenAt.delete(indexKey)
    state.forgottenAt.set(indexKey, epoch)
    for (const running of state.pending.get(indexKey) ?? []) inFlight.push(running)
  }
  await Promise.allSettled(inFlight)
}
