import * as z from 'zod'
import { OutboxError, OutboxFullError } from './errors.js'
import {
  closedError,
  createSerialQueue,
  fullMessage,
  replayInOrder,
  resolveCodec,
  resolveLimits,
  sharedOptionsShape,
  type Outbox,
  type OutboxCodecOptions,
  type OutboxLimitOptions,
  type StoredEntry,
} from './shared.js'

/**
 * The part of the DOM `Storage` interface (`localStorage`, `sessionStorage`) the outbox uses. It
 * never removes its key (see `write`), so `removeItem` is not needed.
 */
export interface StorageLike {
  /**
   * Returns the value under `key`, or null.
   *
   * @example
   * ```ts
   * localStorage.getItem('messaging:outbox:patient:5')
   * ```
   */
  getItem(key: string): string | null
  /**
   * Stores `value` under `key`; throws (a `QuotaExceededError`) when the storage is full.
   *
   * @example
   * ```ts
   * localStorage.setItem('messaging:outbox:patient:5', '{"v":1,"next":1,"entries":[]}')
   * ```
   */
  setItem(key: string, value: string): void
}

const optionsSchema = z.object({
  storage: z.custom<StorageLike>(
    (value: unknown) => typeof (value as StorageLike | null)?.getItem === 'function' && typeof (value as StorageLike).setItem === 'function',
    'expected a Storage (getItem, setItem)',
  ),
  key: z.string().min(1),
  ...sharedOptionsShape,
})

/** Options of {@link webStorageOutbox}. */
export interface WebStorageOutboxOptions<T> extends OutboxCodecOptions<T>, OutboxLimitOptions {
  /**
   * Where entries are kept: `localStorage` survives a reload and a browser restart,
   * `sessionStorage` only a reload.
   *
   * @default none (required)
   * @example
   * ```ts
   * webStorageOutbox({ storage: window.localStorage, key: 'messaging:outbox:patient:5' })
   * ```
   */
  readonly storage: StorageLike
  /**
   * The one storage key holding the whole outbox. Give each signed-in user their own key, and
   * remove it at sign-out on a shared computer: queued messages are readable by any script of the
   * origin.
   *
   * @default none (required)
   * @example
   * ```ts
   * webStorageOutbox({ storage: localStorage, key: `messaging:outbox:${user.type}:${user.id}` })
   * ```
   */
  readonly key: string
}

/** What is stored under `key`. */
interface StoredState {
  readonly v: 1
  /** The sequence number the next entry gets. */
  readonly next: number
  /** `[seq, body]` pairs, oldest first. */
  readonly entries: readonly (readonly [number, string])[]
}

const EMPTY: StoredState = { v: 1, next: 1, entries: [] }

/**
 * An outbox in a browser's `localStorage` (or anything `Storage`-shaped), for the seed's
 * "Redis is down → keep working on localStorage" mode. Durable as far as the browser's storage is:
 * `setItem` is atomic, so there are no torn writes to recover from.
 *
 * The whole outbox is one JSON value under `key`, read again before every change, so two tabs
 * sharing a key do not overwrite each other's appends (each change is a synchronous
 * read-modify-write). Two tabs replaying at once may both apply the head entry: apply is
 * idempotent by contract, and `navigator.locks.request(key, …)` around `replay` avoids the double work.
 * A `setItem` that hits the browser's quota rejects the append with `OutboxFullError`.
 *
 * @example
 * ```ts
 * const outbox = webStorageOutbox<Message>({ storage: localStorage, key: `messaging:outbox:${userId}` })
 * await outbox.append(message) // while Redis is unreachable
 * // later, once Redis answers again:
 * await navigator.locks.request('messaging:outbox', () => outbox.replay((queued) => messageStore.storeMessage(queued)))
 * ```
 */
export function webStorageOutbox<T>(options: WebStorageOutboxOptions<T>): Outbox<T> {
  const kind = 'web-storage-outbox'
  const limits = resolveLimits(kind, optionsSchema, options, { maxEntries: 1_000, maxBytes: 1024 * 1024 })
  const { encode, decode } = resolveCodec(options)
  const { storage, key } = options
  const serial = createSerialQueue()
  let closed = false

  function read(): StoredState {
    const text = storage.getItem(key)
    if (text === null) return EMPTY
    let state: unknown
    try {
      state = JSON.parse(text)
    } catch (cause) {
      throw corrupt(cause)
    }
    if (!isStoredState(state)) throw corrupt()
    return state
  }

  function corrupt(cause?: unknown): OutboxError {
    return new OutboxError('OUTBOX_CORRUPT', `[@cachette/messaging] [${kind}] the value under the outbox key is not an outbox`, { cause })
  }

  function write(state: StoredState): void {
    // Kept even when empty: `next` must never go back, or a tab still applying entry n could
    // acknowledge another tab's new entry n.
    storage.setItem(key, JSON.stringify(state))
  }

  const toStored = ([seq, body]: readonly [number, string]): StoredEntry => ({ seq, body, bytes: body.length * 2 })

  return {
    get depth() {
      return read().entries.length
    },
    async append(entry) {
      if (closed) throw closedError(kind)
      const body = encode(entry)
      const entryBytes = body.length * 2
      const state = read()
      const bytes = state.entries.reduce((sum, [, stored]) => sum + stored.length * 2, 0)
      if (state.entries.length >= limits.maxEntries || bytes + entryBytes > limits.maxBytes) {
        throw new OutboxFullError(fullMessage(kind, limits, state.entries.length, bytes, entryBytes))
      }
      try {
        write({ v: 1, next: state.next + 1, entries: [...state.entries, [state.next, body]] })
      } catch (cause) {
        // QuotaExceededError (a DOMException, named differently across browsers): the browser's own bound.
        throw new OutboxFullError(`[@cachette/messaging] [${kind}] the storage refused the write (quota)`, { cause })
      }
    },
    replay(apply) {
      if (closed) return Promise.reject(closedError(kind))
      return serial(() =>
        replayInOrder(
          () => {
            const first = read().entries[0]
            return first === undefined ? undefined : toStored(first)
          },
          async (applied) => {
            const state = read()
            // Another tab may have acknowledged it already: remove it only if it is still the head.
            if (state.entries[0]?.[0] !== applied.seq) return
            write({ ...state, entries: state.entries.slice(1) })
          },
          decode,
          apply,
        ),
      )
    },
    async close() {
      closed = true
      await serial(async () => undefined)
    },
  }
}

function isStoredState(value: unknown): value is StoredState {
  if (typeof value !== 'object' || value === null) return false
  const state = value as Partial<StoredState>
  return (
    state.v === 1 &&
    Number.isSafeInteger(state.next) &&
    Array.isArray(state.entries) &&
    state.entries.every((pair) => Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && typeof pair[1] === 'string')
  )
}
