import { readEntry } from '../operations/cache-read.js'
import { MISS, type CacheRuntime } from '../store-calls/cache-runtime.js'
import type { KeySpec } from '../keys/define-key.js'
import { TimedEntry } from './grace.js'
import type { LabelAttributes } from '../observability/metrics.js'
import type { LockPolicy } from '../options/resilience-options.js'
import { newToken } from '../operations/tag-tokens.js'

/**
 * The distributed stampede lock: many processes sharing a store, one loader run per cold key.
 *
 * - Taking it: `SET <lock key> <random token> NX PX <ttl>`. The token proves ownership, the TTL
 *   frees the lock when its holder dies (nobody waits on a dead holder past it).
 * - Releasing it: compare-and-delete with our token, after the entry is written, so a waiter
 *   that sees the lock gone finds the value; we never delete a lock that expired and was taken
 *   by someone else.
 * - Waiting: poll the entry with a growing interval; each miss also tries to take the lock
 *   (so a dead holder's lock is taken over the moment it expires). After `waitMs`, run the loader
 *   without the lock: a bounded wait, never a hang.
 * Any store failure ends the protocol: the caller runs its loader (the store is not the reason a
 * request fails).
 */

const MAX_POLL_MS = 250

/** How taking the lock ended. */
export type LockOutcome =
  | { readonly kind: 'acquired'; readonly token: string }
  /** Another process stored the value while we waited. */
  | { readonly kind: 'value'; readonly value: unknown }
  /** Held elsewhere and we do not wait (background refresh), or we waited `waitMs` in vain, or the store failed. */
  | { readonly kind: 'skipped' }

/**
 * The lock key of an entry: `<prefix>:cachette:lock:<key>` (the `cachette:` namespace is reserved).
 *
 * @example
 * ```ts
 * lockKeyOf(rt, 'identity:patient:42') // 'identity:cachette:lock:patient:42'
 * ```
 */
export function lockKeyOf(rt: CacheRuntime, fullKey: string): string {
  const prefix = rt.config.keyPrefix
  return `${prefix}cachette:lock:${fullKey.slice(prefix.length)}`
}

async function tryAcquire(rt: CacheRuntime, lockKey: string, token: string, policy: LockPolicy, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<boolean> {
  const driver = rt.config.driver
  return rt.store.call('lock', attributes, spec, () => driver.set(lockKey, token, { ttlMs: policy.ttlMs, condition: 'nx' }))
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Takes the lock for `fullKey`, or (with `wait`) waits for the holder's value.
 *
 * @example
 * ```ts
 * const outcome = await lockOrWait(rt, fullKey, spec, attributes, policy.lock, true)
 * if (outcome.kind === 'value') return outcome.value
 * ```
 */
export async function lockOrWait(
  rt: CacheRuntime,
  fullKey: string,
  spec: KeySpec | undefined,
  attributes: LabelAttributes,
  policy: LockPolicy,
  wait: boolean,
): Promise<LockOutcome> {
  const lockKey = lockKeyOf(rt, fullKey)
  const token = newToken()
  try {
    if (await tryAcquire(rt, lockKey, token, policy, attributes, spec)) return { kind: 'acquired', token }
  } catch {
    return { kind: 'skipped' }
  }
  if (!wait) return { kind: 'skipped' }
  rt.stats.lockWaits++
  const started = performance.now()
  let intervalMs = policy.pollMs
  while (!rt.closed) {
    const leftMs = policy.waitMs - (performance.now() - started)
    if (leftMs <= 0) break
    await sleep(Math.min(intervalMs, leftMs))
    intervalMs = Math.min(Math.ceil(intervalMs * 1.5), MAX_POLL_MS)
    try {
      const found = await readEntry(rt, fullKey, spec, attributes, 'get')
      // A stale entry is the one being replaced: keep waiting for the fresh one.
      if (found !== MISS && !(found instanceof TimedEntry && rt.config.clock.now() >= found.freshUntil)) {
        rt.stats.lockWaitHits++
        return { kind: 'value', value: found instanceof TimedEntry ? found.value : found }
      }
      if (await tryAcquire(rt, lockKey, token, policy, attributes, spec)) return { kind: 'acquired', token }
    } catch {
      break
    }
  }
  return { kind: 'skipped' }
}

/**
 * Releases a lock we hold (compare-and-delete: never someone else's). Failures are ignored: the
 * lock then expires at its TTL.
 *
 * @example
 * ```ts
 * await releaseLock(rt, fullKey, token, attributes, spec)
 * ```
 */
export async function releaseLock(rt: CacheRuntime, fullKey: string, token: string, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<void> {
  const driver = rt.config.driver
  const lockKey = lockKeyOf(rt, fullKey)
  await rt.store.call('lock', attributes, spec, () => driver.compareAndDelete(lockKey, token)).catch(() => undefined)
}
