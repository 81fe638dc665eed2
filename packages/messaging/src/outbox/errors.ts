/**
 * Every error an outbox throws (bad options are core's `InvalidOptionsError`, as in the rest of the
 * package). Messages name the outbox kind and the reason, never an entry's content (a message
 * body, a patient's name).
 */

/** The stable codes a caller can switch on. */
export type OutboxErrorCode =
  /** The outbox holds `maxEntries` entries or `maxBytes` bytes: the entry was not accepted. */
  | 'OUTBOX_FULL'
  /** The outbox was closed, or a write failed and it stopped accepting work until reopened. */
  | 'OUTBOX_CLOSED'
  /** The stored journal is damaged somewhere other than a torn last record. */
  | 'OUTBOX_CORRUPT'

const BRAND = Symbol.for('@cachette/messaging.OutboxError')

/**
 * The base of every outbox error.
 *
 * @example
 * ```ts
 * try { await outbox.append(message) } catch (error) {
 *   if (isOutboxError(error) && error.code === 'OUTBOX_FULL') showRetryLater()
 * }
 * ```
 */
export class OutboxError extends Error {
  /** A stable code to switch on; messages may change, codes do not. */
  readonly code: OutboxErrorCode

  constructor(code: OutboxErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = new.target.name
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * The outbox is at its bound (`maxEntries` or `maxBytes`, or the browser's storage quota): the
 * entry was not stored, and nothing already stored was dropped to make room.
 *
 * @example
 * ```ts
 * try { await outbox.append(message) } catch (error) {
 *   if (error instanceof OutboxFullError) return { status: 'rejected', reason: error.code } // 'OUTBOX_FULL'
 *   throw error
 * }
 * ```
 */
export class OutboxFullError extends OutboxError {
  declare readonly code: 'OUTBOX_FULL'

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('OUTBOX_FULL', message, options)
  }
}

/**
 * `instanceof OutboxError` that also holds across two copies of this package (ESM and CJS builds).
 *
 * @example
 * ```ts
 * if (isOutboxError(error) && error.code === 'OUTBOX_FULL') metrics.outboxFull()
 * ```
 */
export function isOutboxError(value: unknown): value is OutboxError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/**
 * True for an {@link OutboxFullError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isOutboxFullError(error)) return reply.status(503).send({ code: error.code })
 * ```
 */
export function isOutboxFullError(value: unknown): value is OutboxFullError {
  return isOutboxError(value) && value.code === 'OUTBOX_FULL'
}
