import * as z from 'zod'
import { OutboxFullError } from './errors.js'
import {
  closedError,
  createSerialQueue,
  fullMessage,
  replayInOrder,
  resolveCodec,
  resolveLimits,
  sharedOptionsShape,
  utf8Length,
  type Outbox,
  type OutboxCodecOptions,
  type OutboxLimitOptions,
  type StoredEntry,
} from './shared.js'

const optionsSchema = z.object({ ...sharedOptionsShape })

/** Options of {@link memoryOutbox}. */
export interface MemoryOutboxOptions<T> extends OutboxCodecOptions<T>, OutboxLimitOptions {}

/**
 * An outbox in this process's memory. **Not durable**: a crash, a restart or a closed tab loses
 * every entry. It is for tests, and for callers that accept losing queued sends on a restart.
 * Entries are stored encoded (JSON by default), so replay sees what a durable outbox would return,
 * not the object the caller may have mutated since.
 *
 * @example
 * ```ts
 * const outbox = memoryOutbox<Message>({ maxEntries: 100 })
 * await outbox.append(message)
 * await outbox.replay((queued) => messageStore.storeMessage(queued)) // 1
 * ```
 */
export function memoryOutbox<T>(options: MemoryOutboxOptions<T> = {}): Outbox<T> {
  const kind = 'memory-outbox'
  const limits = resolveLimits(kind, optionsSchema, options, { maxEntries: 1_000, maxBytes: 1024 * 1024 })
  const { encode, decode } = resolveCodec(options)
  const serial = createSerialQueue()
  const entries: StoredEntry[] = []
  let bytes = 0
  let nextSeq = 1
  let closed = false

  return {
    get depth() {
      return entries.length
    },
    append(entry) {
      if (closed) return Promise.reject(closedError(kind))
      let body: string
      try {
        body = encode(entry)
      } catch (error) {
        return Promise.reject(error)
      }
      const entryBytes = utf8Length(body)
      if (entries.length >= limits.maxEntries || bytes + entryBytes > limits.maxBytes) {
        return Promise.reject(new OutboxFullError(fullMessage(kind, limits, entries.length, bytes, entryBytes)))
      }
      entries.push({ seq: nextSeq++, body, bytes: entryBytes })
      bytes += entryBytes
      return Promise.resolve()
    },
    replay(apply) {
      if (closed) return Promise.reject(closedError(kind))
      return serial(() =>
        replayInOrder(
          () => entries[0],
          async (entry) => {
            if (entries[0] === entry) {
              entries.shift()
              bytes -= entry.bytes
            }
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
