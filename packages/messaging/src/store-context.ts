import type { SortedSetEntry } from '@cachette/core'
import type { CacheKit } from '@cachette/core/kit'
import { decodeCursor, encodeCursor } from './cursor.js'
import type { KeyLayout } from './key-layout.js'
import type { Page, PageOptions } from './messaging-types.js'
import type { ResolvedMessagingOptions } from './option-support.js'
import { refuse } from './option-support.js'

/** The command groups the package calls. */
export type MessagingCapability = 'hashes' | 'sets' | 'sortedSets' | 'pubsub' | 'batch'

/** Counters of this process, read by `stats()`. */
export interface Counters {
  messagesStored: number
  duplicates: number
  queued: number
  notificationsPublished: number
  degradedReads: number
}

/** What every part of the package shares. */
export interface StoreContext {
  readonly kit: CacheKit<MessagingCapability>
  readonly keys: KeyLayout
  readonly options: ResolvedMessagingOptions
  readonly counters: Counters
  /**
   * The search index: words as they are (`plain`, no encryption and no secret), HMACs of them
   * (`hmac`, a `searchSecret` was given), or none (`off`: encryption without a secret).
   */
  readonly search: { readonly mode: 'plain' | 'off' } | { readonly mode: 'hmac'; readonly secret: string }
}

/** A store read that may have failed: failures were counted and logged by `kit.call`. */
export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false }

/**
 * Runs a read through the kit; a store failure becomes `{ ok: false }` (counted as a degraded read).
 *
 * @example
 * ```ts
 * const hash = await attempt(context, (driver) => driver.hgetall(key))
 * ```
 */
export async function attempt<T>(context: StoreContext, start: (driver: CacheKit<MessagingCapability>['driver']) => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await context.kit.call('get', start) }
  } catch {
    context.counters.degradedReads += 1
    return { ok: false }
  }
}

/**
 * Parses stored JSON; a record that cannot be read is reported (never its content) and skipped.
 *
 * @example
 * ```ts
 * const message = parseRecord<Message>(context, raw)
 * ```
 */
export function parseRecord<T>(context: StoreContext, raw: string | null): T | undefined {
  if (raw === null) return undefined
  try {
    return JSON.parse(raw) as T
  } catch {
    context.kit.corrupted('a messaging record could not be decoded; it was skipped', 'DECODE_FAILED')
    return undefined
  }
}

const DEGRADED = Object.freeze({ items: Object.freeze([]), degraded: true }) as Page<never>

/**
 * One page of a time-ordered sorted set (score = time, ties by member), newest or oldest first,
 * after an opaque cursor; `load` turns members into items (absent ones dropped).
 *
 * @example
 * ```ts
 * await readPage(context, keys.conversationMessages(id), { limit: 20 }, (ids) => loadMessages(ids))
 * ```
 */
export async function readPage<T>(
  context: StoreContext,
  key: string,
  options: PageOptions | undefined,
  load: (members: readonly string[]) => Promise<Attempt<readonly (T | undefined)[]>>,
): Promise<Page<T>> {
  const limit = options?.limit ?? 50
  const reverse = (options?.order ?? 'newest') === 'newest'
  const position = options?.cursor === undefined ? undefined : decodeCursor(options.cursor)
  if (options?.cursor !== undefined && position === undefined) refuse('read', ['cursor: not a cursor of this package'])
  const entries: SortedSetEntry[] = []
  if (position === undefined) {
    const first = await attempt(context, (driver) => driver.zrangeByScore(key, '-inf', '+inf', { reverse, limit: limit + 1 }))
    if (!first.ok) return DEGRADED
    entries.push(...first.value)
  } else {
    // Members sharing the cursor's score (sent in the same millisecond) are ordered by member:
    // read them all, keep those after the cursor, then continue strictly past that score.
    const ties = await attempt(context, (driver) => driver.zrangeByScore(key, position.score, position.score, { reverse }))
    if (!ties.ok) return DEGRADED
    entries.push(...ties.value.filter((entry) => (reverse ? entry.member < position.member : entry.member > position.member)).slice(0, limit + 1))
    if (entries.length <= limit) {
      const count = limit + 1 - entries.length
      const past = { exclusive: position.score }
      const rest = await attempt(context, (driver) =>
        reverse ? driver.zrangeByScore(key, '-inf', past, { reverse, limit: count }) : driver.zrangeByScore(key, past, '+inf', { limit: count }),
      )
      if (!rest.ok) return DEGRADED
      entries.push(...rest.value)
    }
  }
  const served = entries.slice(0, limit)
  const last = served.at(-1)
  const loaded = served.length === 0 ? ({ ok: true, value: [] } as const) : await load(served.map((entry) => entry.member))
  if (!loaded.ok) return DEGRADED
  const items = loaded.value.filter((item): item is T => item !== undefined)
  return entries.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last), degraded: false } : { items, degraded: false }
}

/**
 * Whether a failure is the store's (unreachable, slow, circuit open): the cases the outbox takes.
 *
 * @example
 * ```ts
 * if (isStoreFailure(error) && outbox !== undefined) await outbox.append(entry)
 * ```
 */
export function isStoreFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'DRIVER_FAILURE' || code === 'DEADLINE_EXCEEDED' || code === 'CIRCUIT_OPEN'
}
