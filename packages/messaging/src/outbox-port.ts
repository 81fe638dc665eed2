import type { Message } from './messaging-types.js'

/** One send waiting for the store: replayed through the idempotent send, with the same id. */
export interface OutboxEntry {
  readonly kind: 'message'
  readonly message: Message
}

/**
 * Where sends go while the store is down (the durable outbox of `@cachette/messaging`, or your own).
 * `createMessaging({ outbox })` appends a message whose store call failed and resolves
 * `{ status: 'queued' }`; `messaging.flushOutbox()` calls `replay` with the idempotent send.
 *
 * @example
 * ```ts
 * const entries: OutboxEntry[] = []
 * const outbox: MessagingOutbox = {
 *   get depth() { return entries.length },
 *   append: async (entry) => void entries.push(entry),
 *   replay: async (apply) => { let done = 0; while (entries.length > 0) { await apply(entries[0]!); entries.shift(); done += 1 } return done },
 * }
 * ```
 */
export interface MessagingOutbox {
  /**
   * Keeps an entry until it is replayed. Rejects when it could not be kept.
   *
   * @example
   * ```ts
   * await outbox.append({ kind: 'message', message })
   * ```
   */
  append(entry: OutboxEntry): Promise<void>
  /**
   * Applies the entries in order; an entry whose `apply` rejects stays (and the replay may stop
   * there). Resolves how many were applied.
   *
   * @example
   * ```ts
   * const applied = await outbox.replay((entry) => store(entry.message))
   * ```
   */
  replay(apply: (entry: OutboxEntry) => Promise<void>): Promise<number>
  /** Entries waiting. */
  readonly depth: number
}
