/** The codes of {@link MessagingError}. */
export type MessagingErrorCode =
  /** The conversation does not exist (or expired). */
  | 'CONVERSATION_NOT_FOUND'
  /** The sender is not a participant of the conversation. */
  | 'NOT_A_PARTICIPANT'
  /** The store could not be reached and no outbox was given: map it to HTTP 503. */
  | 'STORE_UNAVAILABLE'
  /** Search is off: the cache has encryption at rest and no `searchSecret` was given (see docs/messaging.md). */
  | 'SEARCH_DISABLED'

const BRAND = Symbol.for('@cachette/messaging.MessagingError')

/**
 * A refusal of `@cachette/messaging`, with a stable `code`. Its message holds no identifier and no
 * content. Bad input is an `InvalidOptionsError` of `@cachette/core` (code `INVALID_OPTIONS`).
 *
 * @example
 * ```ts
 * try { await messaging.sendMessage(input) } catch (error) {
 *   if (isMessagingError(error) && error.code === 'STORE_UNAVAILABLE') return reply.code(503).send()
 * }
 * ```
 */
export class MessagingError extends Error {
  /** A stable code to switch on. */
  readonly code: MessagingErrorCode

  constructor(code: MessagingErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = 'MessagingError'
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * Whether `value` is a {@link MessagingError}, across copies of the package (ESM and CJS builds).
 *
 * @example
 * ```ts
 * if (isMessagingError(error) && error.code === 'CONVERSATION_NOT_FOUND') return reply.code(404).send()
 * ```
 */
export function isMessagingError(value: unknown): value is MessagingError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}
