import type { CacheRuntime, Load } from '../store-calls/cache-runtime.js'
import { planWrite, prepareWrite, storeEntry, type PreparedWrite, type WriteTarget } from '../operations/cache-write.js'
import { delay } from '../store-calls/deadline.js'
import type { Key, KeySpec } from '../keys/define-key.js'
import { lockOrWait, releaseLock } from './distributed-lock.js'
import { shouldRefreshEarly } from './early-refresh.js'
import { InvalidOptionsError, isCacheError, LoaderTimeoutError } from '../errors.js'
import type { TimedEntry } from './grace.js'
import { LoadContext, NOT_MODIFIED, runLoader, type Loader, type WriteOptions } from '../operations/loader-context.js'
import { waitForLoader } from './loader-timeout.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { LoadPolicy } from '../options/resilience-options.js'
import { claimKey, releaseClaim, type Observed } from '../operations/fence.js'
import { hasCapabilities } from '../driver/driver-capabilities.js'

/**
 * getOrSet past its read: the loader run (shared by every flight of the key, and by background
 * refreshes), the distributed lock, loader timeouts, stale-if-error, stale-while-revalidate and
 * early refresh. The hit path never comes here, except that a fresh hit on an entry written with
 * early refresh may start a background refresh.
 */

/** What one getOrSet call is about. */
export interface LoadTarget {
  readonly key: Key<unknown> | string
  readonly fullKey: string
  readonly spec: KeySpec | undefined
  readonly attributes: LabelAttributes
  readonly loader: Loader<unknown>
  readonly options: WriteOptions | undefined
  /** What the read found at the key, for the fence (undefined: the read did not reach the store). */
  readonly observed: Observed
  /** performance.now() before that read. */
  readonly observedAt: number
}

/** What getOrSet's flight knows when its read gave no fresh value. */
export interface MissedRead extends LoadTarget {
  /** The read reached the store (false: it failed, or the circuit is open). */
  readonly readOk: boolean
  /** How long the read took, ms. */
  readonly readElapsedMs: number
  /** A stale entry within its grace period, when the read found one. */
  readonly stale: TimedEntry | undefined
  /** Unregisters the flight. */
  readonly finish: () => void
}

/** A background refresh that left the work to another process (lock held elsewhere). */
const SKIPPED: unique symbol = Symbol('cachette.refresh-skipped')

interface LoadRequest extends LoadTarget {
  readonly policy: LoadPolicy
  /** Where the value goes, with its tags and TTL, resolved before the loader runs. */
  readonly write: WriteTarget
  readonly tokens: Promise<Record<string, string>> | undefined
  readonly storeReachable: boolean
  readonly background: boolean
  /** A revalidation: the entry's current value, which `ctx.notModified()` keeps. */
  previous?: { readonly value: unknown; readonly validator: string | undefined }
}

type MutableLoad = { -readonly [K in keyof Load]: Load[K] }

function serveStale(rt: CacheRuntime, entry: TimedEntry, target: LoadTarget): unknown {
  rt.stats.staleHits++
  rt.metrics.staleHit(target.attributes)
  if (rt.events.active) rt.events.emit('staleHit', target.attributes, target.spec, { operation: 'getOrSet' })
  return entry.value
}

/** Tags, TTL and tag tokens of a load. Programming errors (bad tag, unknown TTL policy) throw here, before the loader runs. */
function prepare(rt: CacheRuntime, target: LoadTarget, policy: LoadPolicy, storeReachable: boolean, background: boolean): LoadRequest {
  const { spec, attributes, options } = target
  const write = planWrite(rt, target.key, target.fullKey, spec, attributes, options, 'getOrSet')
  // Ask for the tag tokens before the loader runs: an invalidateTags() during the load then
  // replaces a token we already hold, and the entry written afterwards reads as a miss.
  const tokens = write.tags.length > 0 && storeReachable ? rt.tagTokens.ensure(write.tags, attributes, spec) : undefined
  tokens?.catch(() => undefined)
  // Field by field, not `...target`: targets come in several shapes, and spreading one cost more
  // than JSON-encoding a 1 KB value (5 µs per miss, profiled in bench/).
  return {
    key: target.key,
    fullKey: target.fullKey,
    spec,
    attributes,
    loader: target.loader,
    options,
    observed: target.observed,
    observedAt: target.observedAt,
    policy,
    write,
    tokens,
    storeReachable,
    background,
  }
}

/** The load in progress for the key, or a new one. `force`: a new one even if one runs (it was a skipped refresh). */
function startLoad(rt: CacheRuntime, request: LoadRequest, force = false): Load {
  if (!force) {
    const existing = rt.loads.get(request.fullKey)
    if (existing !== undefined) return existing
  }
  const load: MutableLoad = { promise: undefined as unknown as Promise<unknown>, stored: undefined, skipWrite: false, startedAt: performance.now() }
  rt.loads.set(request.fullKey, load)
  load.promise = runLoad(rt, request, load)
  // Nobody may be listening any more (every caller served stale): never an unhandled rejection.
  load.promise.catch(() => undefined)
  return load
}

async function runLoad(rt: CacheRuntime, q: LoadRequest, load: MutableLoad): Promise<unknown> {
  const done = () => {
    if (rt.loads.get(q.fullKey) === load) rt.loads.delete(q.fullKey)
  }
  let lockToken: string | undefined
  const lock = q.policy.lock
  if (lock !== undefined && q.storeReachable) {
    const outcome = await lockOrWait(rt, q.fullKey, q.spec, q.attributes, lock, !q.background)
    if (outcome.kind === 'value') {
      done()
      return outcome.value
    }
    if (outcome.kind === 'acquired') lockToken = outcome.token
    else if (q.background) {
      done()
      return SKIPPED
    }
  }
  let claim: Promise<string | undefined> | undefined
  let claimUsed = false
  const settle = () => {
    if (lockToken !== undefined) rt.store.track(releaseLock(rt, q.fullKey, lockToken, q.attributes, q.spec))
    if (!claimUsed) releaseClaim(rt, q, claim)
    done()
  }

  const fenced = rt.config.fenceMs !== undefined
  // The fence covers tags by their tokens: read before the loader starts, an invalidateTags() that
  // follows it replaces a token this write carries; one that precedes it is seen by the loader.
  if (q.tokens !== undefined && fenced) await q.tokens.catch(() => undefined)
  // An empty (or unread) key: claim it now, while the loader runs (see fence.ts).
  if (fenced && (q.observed === null || q.observed === undefined)) claim = claimKey(rt, q)
  const context = new LoadContext(q.previous)
  const started = performance.now()
  let value: unknown
  try {
    value = await runLoader(rt, q.loader, context)
  } catch (error) {
    settle()
    // Counted from now: a failing source is asked again only after the back-off (stale is served meanwhile).
    if (q.policy.graceMs > 0) rt.backoff.failed(q.fullKey, rt.config.clock.now(), q.policy.graceBackoffMs)
    if (rt.events.active) rt.events.emit('error', q.attributes, q.spec, { operation: 'loader', source: 'loader' })
    throw error
  }
  const loadMs = performance.now() - started
  rt.backoff.succeeded(q.fullKey)
  if (value === NOT_MODIFIED && q.previous !== undefined) return renew(rt, q, load, settle)
  if (value === undefined || context.skipped || load.skipWrite || rt.closed) {
    settle()
    return value
  }

  let write: PreparedWrite
  try {
    write = prepareWrite(rt, q.write, value, { policy: q.policy, ttl: context.ttl, loadMs })
  } catch (error) {
    // The caller asked for the value, not for it to be cached: report, do not fail.
    rt.stats.errors++
    rt.store.warn('the value could not be cached', 'getOrSet', isCacheError(error) ? error.code : 'INVALID_OPTIONS', q.attributes, q.spec, error instanceof Error ? error.name : undefined)
    settle()
    return value
  }
  // The write consumes the claim (it removes it, or finds it replaced): nothing to give back.
  claimUsed = true
  const fence = fenced ? { observed: q.observed, since: q.observedAt, claim } : undefined
  const stored = storeEntry(rt, write, q.tokens, fence)
  load.stored = stored
  // The lock is released after the write, so a waiter that sees it gone finds the value.
  void stored.then(settle)
  rt.store.track(stored)
  return value
}

/**
 * A revalidation answered "not modified": the entry's TTL is renewed (PEXPIRE; should an
 * invalidation have replaced it meanwhile, the tombstone lives longer, which blocks nothing), and
 * the callers get the previous value. A failure is counted and absorbed: the entry expires as before.
 */
function renew(rt: CacheRuntime, q: LoadRequest, load: MutableLoad, settle: () => void): unknown {
  rt.stats.revalidations++
  const driver = rt.config.driver
  const renewed = load.skipWrite || rt.closed ? Promise.resolve(false) : rt.store.call('set', q.attributes, q.spec, () => driver.pexpire(q.fullKey, q.write.ttlMs)).catch(() => false)
  load.stored = renewed
  void renewed.then(settle)
  rt.store.track(renewed)
  return (q.previous as { readonly value: unknown }).value
}

const INSPECTION = ['inspection'] as const

/** True when the key or the call may revalidate: a hit without the option pays one property read. */
export function mayRevalidate(rt: CacheRuntime, spec: KeySpec | undefined, options: WriteOptions | undefined): boolean {
  return rt.config.loadPolicy.revalidateWindowMs !== 0 || spec?.resilience?.revalidate !== undefined || options?.revalidate !== undefined
}

/**
 * After a hit on a key with `revalidate`: reads the entry's store TTL (at most once per key per
 * window / 8), and when what is left is within the window, runs the loader in the background with
 * the value as `ctx.previous`. Never rejects, never delays the caller.
 *
 * @example
 * ```ts
 * if (mayRevalidate(rt, spec, options)) maybeRevalidate(rt, target, value)
 * ```
 */
export function maybeRevalidate(rt: CacheRuntime, target: LoadTarget, value: unknown): void {
  let policy: LoadPolicy
  try {
    policy = rt.keys.loadPolicy(target.spec, target.options)
  } catch {
    return
  }
  const windowMs = policy.revalidateWindowMs
  const driver = rt.config.driver
  if (windowMs === 0 || rt.closed || rt.loads.has(target.fullKey) || !hasCapabilities(driver, INSPECTION)) return
  // The cache's clock, as the entry's TTL: with a fake clock, a test that moves into the window
  // gets its check at once (performance.now() held it back for window / 8 of real time).
  const now = rt.config.clock.now()
  const checks = rt.revalidationChecks
  if ((checks.get(target.fullKey) ?? 0) > now) return
  // Bounded: a key checked long ago is checked again anyway.
  if (checks.size >= 10_000) checks.clear()
  checks.set(target.fullKey, now + windowMs / 8)
  const checked = rt.store.call('get', target.attributes, target.spec, () => driver.pttl(target.fullKey)).then((leftMs) => {
    if (leftMs < 0 || leftMs > windowMs || rt.closed || rt.loads.has(target.fullKey)) return
    let request: LoadRequest
    try {
      request = prepare(rt, target, policy, true, true)
      request.previous = { value, validator: policy.validator?.(value) }
    } catch {
      // A bad tag, TTL policy or a validator that throws: the caller has its value; the entry expires as usual.
      return
    }
    rt.stats.refreshes++
    startLoad(rt, request)
  })
  rt.store.track(checked.catch(() => undefined))
}

/**
 * Starts a background refresh of a key unless one runs, the key is backing off, or the cache is
 * closed. Its failures are counted (loaderErrors, errors) and never reach a caller.
 */
function refreshInBackground(rt: CacheRuntime, target: LoadTarget, policy: LoadPolicy): void {
  if (rt.closed || rt.loads.has(target.fullKey) || rt.backoff.active(target.fullKey, rt.config.clock.now())) return
  let request: LoadRequest
  try {
    request = prepare(rt, target, policy, true, true)
  } catch {
    // A bad tag or TTL policy: the caller already has its value; the next miss reports it.
    return
  }
  rt.stats.refreshes++
  // Not tracked for close(): a loader that never answers must not hang a shutdown. Its write,
  // if it comes, is tracked (and skipped once the cache is closed).
  startLoad(rt, request)
}

/**
 * Whether any level (cache, key, call) may ask for early refresh: checked on a fresh timed hit
 * before anything is allocated (the entry may be timed for grace only).
 *
 * @example
 * ```ts
 * if (mayRefreshEarly(rt, spec, options)) maybeRefreshEarly(rt, target, cached)
 * ```
 */
export function mayRefreshEarly(rt: CacheRuntime, spec: KeySpec | undefined, options: WriteOptions | undefined): boolean {
  return rt.config.loadPolicy.earlyRefreshBeta !== 0 || spec?.resilience?.earlyRefresh !== undefined || options?.earlyRefresh !== undefined
}

/**
 * After a fresh hit on an entry that records its freshness: XFetch may start a background refresh.
 *
 * @example
 * ```ts
 * if (cached instanceof TimedEntry && now < cached.freshUntil) maybeRefreshEarly(rt, target, cached)
 * ```
 */
export function maybeRefreshEarly(rt: CacheRuntime, target: LoadTarget, entry: TimedEntry): void {
  let policy: LoadPolicy
  try {
    policy = rt.keys.loadPolicy(target.spec, target.options)
  } catch {
    return
  }
  if (policy.earlyRefreshBeta === 0) return
  if (!shouldRefreshEarly(rt.config.clock.now(), entry.freshUntil, entry.loadMs, policy.earlyRefreshBeta, Math.random())) return
  refreshInBackground(rt, target, policy)
}

/**
 * getOrSet after a read that gave no fresh value: serve stale when the key backs off or
 * revalidates in the background; else run (or join) the load, wait for it within the loader
 * timeouts, and fall back to the stale value when it fails or is too slow.
 *
 * @example
 * ```ts
 * return loadOnMiss(rt, { key, fullKey, spec, attributes, loader, options, readOk, readElapsedMs, stale, finish })
 * ```
 */
export async function loadOnMiss(rt: CacheRuntime, r: MissedRead): Promise<unknown> {
  let policy: LoadPolicy
  let request: LoadRequest
  const stale = r.stale
  try {
    policy = rt.keys.loadPolicy(r.spec, r.options)
    if (stale !== undefined) {
      if (rt.backoff.active(r.fullKey, rt.config.clock.now())) {
        r.finish()
        return serveStale(rt, stale, r)
      }
      if (policy.staleWhileRevalidate) {
        refreshInBackground(rt, r, policy)
        r.finish()
        return serveStale(rt, stale, r)
      }
    }
    rt.recordMiss(r.attributes, r.spec, 'getOrSet')
    request = prepare(rt, r, policy, r.readOk, false)
  } catch (error) {
    r.finish()
    throw error
  }

  let load = startLoad(rt, request)
  for (;;) {
    // The soft timeout counts from the load's start: when it is already late, serve stale at once.
    const softMs = stale === undefined || policy.softTimeoutMs === 0 ? 0 : Math.max(1, policy.softTimeoutMs - (performance.now() - load.startedAt))
    const outcome = await waitForLoader(load.promise, softMs, policy.hardTimeoutMs)
    if (outcome.kind === 'value') {
      if (outcome.value === SKIPPED) {
        // We joined a background refresh that left the key to another process: load it ourselves.
        load = startLoad(rt, request, true)
        continue
      }
      const stored = load.stored
      if (stored === undefined) {
        r.finish()
        return outcome.value
      }
      // Keep the flight until the write lands: callers arriving meanwhile share this value
      // instead of reading a store that does not hold it yet.
      void stored.then(r.finish)
      // Wait for the write only while the read-and-write budget (one deadline) lasts, and not
      // at all after a failed read: callers get the value within deadlineMs + the loader's time.
      if (r.readOk) {
        const budgetMs = rt.config.deadlineMs - r.readElapsedMs
        if (budgetMs > 0) await Promise.race([stored, delay(budgetMs, stored)])
      }
      return outcome.value
    }
    r.finish()
    if (outcome.kind === 'error') {
      if (stale !== undefined) return serveStale(rt, stale, r)
      throw outcome.error
    }
    rt.stats.loaderTimeouts++
    if (stale !== undefined) {
      // The running load refreshes the entry if it succeeds (which ends the back-off).
      rt.backoff.failed(r.fullKey, rt.config.clock.now(), policy.graceBackoffMs)
      return serveStale(rt, stale, r)
    }
    throw new LoaderTimeoutError(policy.hardTimeoutMs)
  }
}
