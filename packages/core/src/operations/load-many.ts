import type { CacheRuntime } from '../store-calls/cache-runtime.js'
import { InvalidOptionsError, isCacheError } from '../errors.js'
import { claimKey, releaseClaim } from './fence.js'
import { planWrite, prepareWrite, storeEntry, type PreparedWrite, type WriteTarget } from './cache-write.js'
import type { BatchKey } from './batch-keys.js'
import { endBatchFlight, type BatchFlight } from './batch-flights.js'
import type { WriteOptions } from './loader-context.js'
import type { Key } from '../keys/define-key.js'
import type { LoadPolicy } from '../options/resilience-options.js'

/** A key getOrSetMany found no fresh value for; `flight` is undefined when nothing is to be stored (disabled or closed cache). */
export interface MissingKey {
  readonly target: BatchKey
  readonly flight: BatchFlight | undefined
}

/** The loaded values (in the order of the missing keys) and the writes started. */
export interface LoadedMany {
  readonly values: readonly unknown[]
  /** Never reject; each settles once its entry is stored or refused. */
  readonly stored: readonly Promise<boolean>[]
}

const noop = () => undefined

/**
 * getOrSetMany's load: ONE `loadMany` call with the missing keys, then each value written as
 * getOrSet writes it (its tags and TTL planned before the loader runs, the fence's claim placed
 * meanwhile, a fenced write after), in parallel. Each flight is settled with its key's value, and
 * ends once its write lands. A key whose flight an invalidation dropped, or whose value is
 * `undefined`, is not written. `write` undefined (disabled or closed cache): load only.
 *
 * @throws the loader's very error; InvalidOptionsError when it resolves something other than an
 * array of one value per missing key; InvalidKeyError / InvalidOptionsError for a bad tag or TTL
 * policy (before the loader runs). Nothing is written then, and the claims are given back.
 * @example
 * ```ts
 * const { values, stored } = await loadMissing(rt, missing, loadMany, options, { since: readStarted })
 * ```
 */
export async function loadMissing(
  rt: CacheRuntime,
  missing: readonly MissingKey[],
  loadMany: (missing: readonly (Key<unknown> | string)[]) => Promise<readonly unknown[]> | readonly unknown[],
  options: WriteOptions | undefined,
  write: { readonly since: number } | undefined,
): Promise<LoadedMany> {
  const plans: (WriteTarget | undefined)[] = missing.map(({ target, flight }) =>
    write === undefined || flight === undefined ? undefined : planWrite(rt, target.key, target.fullKey, target.spec, target.attributes, options, 'getOrSet'),
  )
  // Resolved before the loader too, so invalid resilience options reject before it runs (as getOrSet).
  const policies = plans.map((plan) => (plan === undefined ? undefined : rt.keys.loadPolicy(plan.spec, options)))
  // Asked for before the loader runs, as getOrSet does: an invalidateTags() meanwhile replaces
  // them. Once per distinct tag list: a batch of keys with the same tags reads them once.
  const ensured = new Map<string, Promise<Record<string, string>>>()
  const tokens = plans.map((plan, k) => {
    const { target, flight } = missing[k] as MissingKey
    if (plan === undefined || plan.tags.length === 0 || flight?.observed === undefined) return undefined
    const id = plan.tags.join('\u0000')
    let pending = ensured.get(id)
    if (pending === undefined) {
      pending = rt.tagTokens.ensure(plan.tags, target.attributes, target.spec)
      pending.catch(noop)
      ensured.set(id, pending)
    }
    return pending
  })
  const fenced = write !== undefined && rt.config.fenceMs !== undefined
  let claims: (Promise<string | undefined> | undefined)[] = []
  if (fenced) {
    await Promise.all(tokens.map((pending) => pending?.catch(noop)))
    claims = missing.map(({ target, flight }) => (flight !== undefined && (flight.observed === null || flight.observed === undefined) ? claimKey(rt, target) : undefined))
  }
  const giveBack = (k: number) => releaseClaim(rt, (missing[k] as MissingKey).target, claims[k])

  rt.stats.loaderCalls++
  const started = performance.now()
  let loaded: readonly unknown[]
  try {
    loaded = await loadMany(missing.map(({ target }) => target.key))
    if (!Array.isArray(loaded) || loaded.length !== missing.length) {
      const got = Array.isArray(loaded) ? `${loaded.length} values` : 'something that is not an array'
      throw new InvalidOptionsError(`[@cachette/core] getOrSetMany: loadMany resolved ${got} for ${missing.length} missing keys; the lengths differ (it must resolve one value per key it is given, in order)`)
    }
  } catch (error) {
    rt.stats.loaderErrors++
    const first = (missing[0] as MissingKey).target
    if (rt.events.active) rt.events.emit('error', first.attributes, first.spec, { operation: 'loader', source: 'loader' })
    missing.forEach((_, k) => giveBack(k))
    throw error
  }
  const loadMs = performance.now() - started
  const values = [...loaded]
  const stored: Promise<boolean>[] = []
  for (let k = 0; k < missing.length; k++) {
    const { flight } = missing[k] as MissingKey
    const value = values[k]
    if (flight === undefined) continue
    flight.settle(value)
    const prepared = value === undefined || flight.skipWrite || rt.closed ? undefined : prepare(rt, plans[k] as WriteTarget, value, policies[k] as LoadPolicy, loadMs)
    if (prepared === undefined) {
      giveBack(k)
      endBatchFlight(rt, flight)
      continue
    }
    const fence = fenced ? { observed: flight.observed, since: (write as { since: number }).since, claim: claims[k] } : undefined
    const pending = storeEntry(rt, prepared, tokens[k], fence)
    rt.store.track(pending)
    // The flight lasts until the write lands: a getOrSet arriving meanwhile shares the value
    // instead of reading a store that does not hold it yet.
    void pending.then(() => endBatchFlight(rt, flight))
    stored.push(pending)
  }
  return { values, stored }
}

/** The write of a loaded value; undefined (reported, not thrown: the caller asked for the value) when the codec refuses it. */
function prepare(rt: CacheRuntime, plan: WriteTarget, value: unknown, policy: LoadPolicy, loadMs: number): PreparedWrite | undefined {
  try {
    return prepareWrite(rt, plan, value, { policy, ttl: undefined, loadMs })
  } catch (error) {
    rt.stats.errors++
    rt.store.warn('the value could not be cached', 'getOrSetMany', isCacheError(error) ? error.code : 'INVALID_OPTIONS', plan.attributes, plan.spec, error instanceof Error ? error.name : undefined)
    return undefined
  }
}
