import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { BatchKey } from './batch-keys.js'
import { readEntry } from './cache-read.js'
import { decodeEntry } from './decode-entry.js'
import type { Observed } from './observed.js'
import { groupBySlot } from '../keys/key-slot.js'

/** A key whose read failed (store failure, deadline, open circuit): already counted and logged. */
export const READ_FAILED: unique symbol = Symbol('cachette.read-failed')

/**
 * Reads distinct keys from the store in as few calls as the driver allows: one MGET for all on a
 * driver with `crossSlotBatch`, else one MGET per hash slot (a Redis Cluster). Each MGET goes
 * through `rt.store.call('get', …)` (deadline, breaker, metrics; labelled with its first key's
 * family). A key whose codec is `bytes` is read alone (MGET returns text). Each answer is decoded
 * as `readEntry` does (tombstones, corrupted entries, schema, tags, the memory tier with `l1Mark`).
 * Resolves, per key: the value, a TimedEntry, MISS, or READ_FAILED when its MGET failed (the
 * other groups still answer). Never rejects.
 *
 * @param sinks per key, what receives the raw value read (getOrSetMany's flights, for the fence)
 * @example
 * ```ts
 * const answers = await readMany(rt, batch.unique, undefined, rt.l1?.mark())
 * ```
 */
export async function readMany(
  rt: CacheRuntime,
  targets: readonly BatchKey[],
  sinks: readonly { observed: Observed }[] | undefined,
  l1Mark: number | undefined,
): Promise<unknown[]> {
  const answers: unknown[] = new Array<unknown>(targets.length).fill(READ_FAILED)
  const texts: number[] = []
  const reads: Promise<void>[] = []
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i] as BatchKey
    if (rt.keys.codecOf(target.spec).format !== 'bytes') {
      texts.push(i)
      continue
    }
    // MGET returns text: a bytes entry is read alone. Its own sink, copied to the caller's.
    const sink = { observed: undefined as Observed, startedAt: 0 }
    reads.push(
      readEntry(rt, target.fullKey, target.spec, target.attributes, 'get', sinks === undefined ? undefined : sink, l1Mark).then(
        (answer) => {
          answers[i] = answer
          const callerSink = sinks?.[i]
          if (callerSink !== undefined) callerSink.observed = sink.observed
        },
        () => undefined,
      ),
    )
  }
  if (texts.length > 0) {
    const groups = rt.config.driver.capabilities.crossSlotBatch ? [texts] : groupBySlot(texts.map((i) => (targets[i] as BatchKey).fullKey)).map((group) => group.map((j) => texts[j] as number))
    for (const group of groups) reads.push(readGroup(rt, targets, group, sinks, l1Mark, answers))
  }
  await Promise.all(reads)
  return answers
}

/** One MGET and the decoding of its answers into `answers`; a failure leaves READ_FAILED there. */
async function readGroup(
  rt: CacheRuntime,
  targets: readonly BatchKey[],
  group: readonly number[],
  sinks: readonly { observed: Observed }[] | undefined,
  l1Mark: number | undefined,
  answers: unknown[],
): Promise<void> {
  const first = targets[group[0] as number] as BatchKey
  const driver = rt.config.driver
  const fullKeys = group.map((i) => (targets[i] as BatchKey).fullKey)
  let raws: readonly (string | null)[]
  try {
    raws = await rt.store.call('get', first.attributes, first.spec, () => driver.mget(fullKeys))
  } catch {
    // Counted and logged by rt.store.call: these keys are misses, the other groups still answer.
    return
  }
  await Promise.all(
    group.map(async (i, j) => {
      const target = targets[i] as BatchKey
      try {
        answers[i] = await decodeEntry(rt, target.fullKey, raws[j] ?? null, target.spec, target.attributes, 'get', sinks?.[i], l1Mark)
      } catch {
        // A tag-token read that failed (counted): this key only.
      }
    }),
  )
}
