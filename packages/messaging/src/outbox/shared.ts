import * as z from 'zod'
import { parseInput } from '../option-support.js'
import { OutboxError } from './errors.js'

/**
 * The outbox port, the same shape as `../outbox-port.ts`: entries accepted while the store is down,
 * applied to the store in append order once it is back.
 *
 * Delivery is at least once. An entry is removed only after `apply` resolved for it, and a crash
 * (or a failed acknowledgement) between the two applies it again on the next replay: `apply` must
 * be idempotent, e.g. by writing each message under its own message id (`SET messaging:message:{id}`,
 * a HSETNX, a ZADD with the id as member), never by `RPUSH` of the body.
 */
export interface Outbox<T> {
  /**
   * Stores `entry` after every entry appended before it. Resolves once it is durable (for the file
   * and web storage kinds); rejects with `OutboxFullError` at the bound, storing nothing.
   *
   * @example
   * ```ts
   * await outbox.append({ kind: 'message', message })
   * ```
   */
  append(entry: T): Promise<void>
  /**
   * Applies entries in append order, removing each only after `apply` resolved for it, including
   * entries appended while it runs. Stops at the first `apply` that rejects (that entry stays
   * first) and resolves how many were applied. Replays run one at a time.
   *
   * @example
   * ```ts
   * const applied = await outbox.replay((entry) => sendIdempotently(entry.message)) // keyed by message id
   * ```
   */
  replay(apply: (entry: T) => Promise<void>): Promise<number>
  /** Entries accepted and not yet acknowledged by a replay. */
  readonly depth: number
  /**
   * Waits for a running replay and pending writes, then releases the file; later calls reject
   * with `OUTBOX_CLOSED`. Entries stay stored for the next open.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void outbox.close())
   * ```
   */
  close(): Promise<void>
}

/** How entries become stored text and back; shared by every outbox kind. */
export interface OutboxCodecOptions<T> {
  /**
   * Turns an entry into the text that is stored. Keep it deterministic and free of secrets you do
   * not want on disk: the journal is not encrypted.
   *
   * @default JSON.stringify
   * @example
   * ```ts
   * fileOutbox<Message>({ path, encode: (message) => JSON.stringify(MessageSchema.parse(message)) })
   * ```
   */
  readonly encode?: (entry: T) => string
  /**
   * Turns stored text back into an entry. A throw counts as a failed `apply`: replay stops there
   * and the entry stays, so a schema change cannot silently drop queued messages.
   *
   * @default JSON.parse
   * @example
   * ```ts
   * fileOutbox<Message>({ path, decode: (text) => MessageSchema.parse(JSON.parse(text)) })
   * ```
   */
  readonly decode?: (text: string) => T
}

/** The bounds every outbox kind enforces. */
export interface OutboxLimitOptions {
  /**
   * The most entries the outbox holds; `append` beyond it rejects with `OutboxFullError`.
   *
   * @default 10_000 (file), 1_000 (web storage and memory)
   * @example
   * ```ts
   * fileOutbox({ path, maxEntries: 50_000 })
   * ```
   */
  readonly maxEntries?: number
  /**
   * The most bytes of encoded entries the outbox holds (UTF-8 for a file, UTF-16 for web storage,
   * as browsers count their quota); `append` beyond it rejects with `OutboxFullError`.
   *
   * @default 16 MiB (file), 1 MiB (web storage and memory)
   * @example
   * ```ts
   * webStorageOutbox({ storage: localStorage, key: 'messaging:outbox', maxBytes: 512 * 1024 })
   * ```
   */
  readonly maxBytes?: number
}

export interface Limits {
  readonly maxEntries: number
  readonly maxBytes: number
}

export const positiveInteger = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const optionalFunction = z.custom<(value: never) => unknown>((value: unknown) => typeof value === 'function', 'expected a function').optional()

/** The options every outbox kind shares, checked once in its factory. */
export const sharedOptionsShape = {
  maxEntries: positiveInteger.optional(),
  maxBytes: positiveInteger.optional(),
  encode: optionalFunction,
  decode: optionalFunction,
}

/** Validates a factory's options with zod (a failure is core's `InvalidOptionsError`) and fills the bounds' defaults. */
export function resolveLimits(kind: string, schema: z.ZodType, options: OutboxLimitOptions, defaults: Limits): Limits {
  parseInput(schema, options, kind)
  return { maxEntries: options.maxEntries ?? defaults.maxEntries, maxBytes: options.maxBytes ?? defaults.maxBytes }
}

export function resolveCodec<T>(options: OutboxCodecOptions<T>): { encode: (entry: T) => string; decode: (text: string) => T } {
  return {
    encode: options.encode ?? ((entry) => JSON.stringify(entry)),
    decode: options.decode ?? ((text) => JSON.parse(text) as T),
  }
}

/** The stored form of one entry: its sequence number in this outbox and its encoded text. */
export interface StoredEntry {
  readonly seq: number
  readonly body: string
  /** What the entry counts against `maxBytes`. */
  readonly bytes: number
}

/**
 * The replay every kind shares: decode and apply the head, acknowledge it durably, repeat until
 * the outbox is empty (entries appended during the replay are applied too, so when it resolves
 * with nothing left a caller can switch back to writing to the store directly without reordering).
 */
export async function replayInOrder<T>(
  head: () => StoredEntry | undefined,
  acknowledge: (entry: StoredEntry) => Promise<void>,
  decode: (text: string) => T,
  apply: (entry: T) => Promise<void>,
): Promise<number> {
  let applied = 0
  for (let entry = head(); entry !== undefined; entry = head()) {
    try {
      await apply(decode(entry.body))
    } catch {
      // The port's contract: the entry stays and the replay stops; the caller's apply sees the error.
      return applied
    }
    // An acknowledgement that fails (disk full, storage gone) rejects the replay: the entry will be
    // applied again by the next one, which idempotent apply makes harmless.
    await acknowledge(entry)
    applied += 1
  }
  return applied
}

/** Runs tasks one after another, in call order, whatever each one's outcome. */
export function createSerialQueue(): <R>(task: () => Promise<R>) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task)
    tail = run.catch(() => undefined)
    return run
  }
}

export function fullMessage(kind: string, limits: Limits, depth: number, bytes: number, entryBytes: number): string {
  if (entryBytes > limits.maxBytes) return `[@cachette/messaging] [${kind}] an entry is larger than maxBytes (${limits.maxBytes})`
  if (depth >= limits.maxEntries) return `[@cachette/messaging] [${kind}] outbox full: ${depth} entries (maxEntries ${limits.maxEntries})`
  return `[@cachette/messaging] [${kind}] outbox full: ${bytes} + ${entryBytes} bytes exceeds maxBytes (${limits.maxBytes})`
}

export function closedError(kind: string, cause?: unknown): OutboxError {
  const reason = cause === undefined ? 'the outbox is closed' : 'a write failed; reopen the outbox to continue'
  return new OutboxError('OUTBOX_CLOSED', `[@cachette/messaging] [${kind}] ${reason}`, { cause })
}

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength
}
