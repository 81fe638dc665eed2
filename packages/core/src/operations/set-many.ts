import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import type { Key } from '../keys/define-key.js'
import { InvalidOptionsError } from '../errors.js'
import { refuseEnvelopeUse } from '../encoding/plain-wire.js'
import { planWrite, prepareWrite, storeEntry, type PreparedWrite } from './cache-write.js'
import type { WriteOptions } from './loader-context.js'

/** One entry of `cache.setMany`. */
export interface SetManyEntry<T> {
  readonly key: Key<T> | string
  readonly value: NoInfer<T>
  readonly options?: WriteOptions
}

/**
 * `cache.setMany`: stores several values, each as set() would, the writes in parallel. Every
 * entry is checked and encoded before anything is written, so bad input (a bad tag, a value the
 * codec refuses, an unknown TTL policy, a refused envelope option) throws and writes nothing.
 * Resolves, in entry order, whether each was stored (false: store failure, disabled or closed
 * cache, `undefined` value). A key given twice is written once, with its last entry; every
 * place it appears gets that write's result.
 *
 * @throws InvalidOptionsError when `entries` is not an array of `{ key, value, options? }`, or as set() does; InvalidKeyError for a bad key or tag.
 * @example
 * ```ts
 * await setMany(rt, [{ key: patientKey({ id: 1 }), value: a }, { key: patientKey({ id: 2 }), value: b, options: { ttl: '1m' } }])
 * ```
 */
export async function setMany(rt: CacheRuntime, entries: readonly SetManyEntry<unknown>[]): Promise<boolean[]> {
  if (!Array.isArray(entries)) throw new InvalidOptionsError('[@cachette/core] setMany expects an array of { key, value, options? } entries')
  const writes: (PreparedWrite | undefined)[] = []
  const lastOf = new Map<string, number>()
  const targets: string[] = []
  for (const entry of entries as readonly unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw new InvalidOptionsError('[@cachette/core] setMany expects an array of { key, value, options? } entries')
    const { key, value, options } = entry as SetManyEntry<unknown>
    const spec = rt.keys.specOf(key)
    if (rt.config.wire === 'plain') refuseEnvelopeUse(spec, options)
    const fullKey = rt.keys.fullKey(key)
    lastOf.set(fullKey, writes.length)
    targets.push(fullKey)
    if (value === undefined || !rt.config.enabled || rt.closed) {
      writes.push(undefined)
      continue
    }
    const target = planWrite(rt, key, fullKey, spec, rt.keys.attributesOf(spec), options, 'set')
    writes.push(prepareWrite(rt, target, value))
  }
  // The tag tokens once per distinct tag list: a batch of entries with the same tags reads them once.
  const tokens = new Map<string, Promise<Record<string, string>>>()
  const tokensOf = (write: PreparedWrite): Promise<Record<string, string>> | undefined => {
    if (write.tags.length === 0) return undefined
    const id = write.tags.join('\u0000')
    let pending = tokens.get(id)
    if (pending === undefined) {
      pending = rt.tagTokens.ensure(write.tags, write.attributes, write.spec)
      // Each write awaits it and absorbs its failure (resolving false).
      pending.catch(() => undefined)
      tokens.set(id, pending)
    }
    return pending
  }
  const stored = writes.map((write, i) => (write === undefined || lastOf.get(targets[i] as string) !== i ? Promise.resolve(false) : storeEntry(rt, write, tokensOf(write))))
  const results = await Promise.all(stored)
  return targets.map((fullKey) => results[lastOf.get(fullKey) as number] as boolean)
}
