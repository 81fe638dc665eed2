/** Who takes part in a conversation. */
export type UserType = 'doctor' | 'patient'

/** A user: their type and their identifier (letters, digits, `_`, `.`, `@`, `-`; numbers allowed). */
export interface UserRef {
  readonly type: UserType
  readonly id: string | number
}

/** A stored message. */
export interface Message {
  /** Time-ordered identifier (ULID-like), or the one the client gave. */
  readonly id: string
  readonly conversationId: string
  readonly sender: { readonly type: UserType; readonly id: string }
  readonly content: string
  /** ISO 8601 time of the send: the message's place in its conversation. */
  readonly timestamp: string
  readonly isRead: boolean
}

/** A conversation between one doctor and one patient about one context (a prescription, an appointment). */
export interface Conversation {
  /** Derived from (type, contextId, doctor, patient): the same tuple always names the same conversation. */
  readonly id: string
  readonly type: string
  readonly contextId: string
  readonly participants: { readonly doctor: string; readonly patient: string }
  readonly title?: string
  readonly createdAt: string
  readonly status: 'active' | 'archived'
  readonly lastActivity: string
}

/** A doctor's or a patient's profile. */
export interface UserProfile {
  readonly type: UserType
  readonly id: string
  readonly lastName: string
  readonly firstName: string
  readonly email?: string
  readonly specialty?: string
  readonly updatedAt: string
}

/** A notification's priority. */
export type NotificationPriority = 'high' | 'medium' | 'low'

/** A notification, as published and kept in the history. */
export interface Notification {
  readonly id: string
  readonly recipient: { readonly type: UserType; readonly id: string }
  /** What happened: `'message'` for a new message, or your own kind. */
  readonly kind: string
  readonly priority: NotificationPriority
  readonly title?: string
  readonly data?: Readonly<Record<string, string>>
  readonly timestamp: string
  readonly isRead: boolean
}

/** A presence change, as published. */
export interface PresenceChange {
  readonly user: { readonly type: UserType; readonly id: string }
  readonly status: 'online' | 'offline'
}

/**
 * A page of a read. A read whose store call failed is `degraded: true` with no items: it never
 * looks like an empty conversation. Map it to HTTP 503 or show "temporarily unavailable".
 */
export interface Page<T> {
  readonly items: readonly T[]
  /** Give it back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string
  readonly degraded: boolean
}

/** A single read: `value` undefined when absent, `degraded` when the store failed. */
export interface Read<T> {
  readonly value: T | undefined
  readonly degraded: boolean
}

/** Options of a paged read. */
export interface PageOptions {
  /**
   * Items per page, 1 to 200.
   *
   * @default 50
   * @example
   * ```ts
   * await messaging.listMessages(conversationId, { limit: 20 })
   * ```
   */
  readonly limit?: number
  /**
   * The `nextCursor` of the previous page (opaque; a string this package did not make is refused).
   *
   * @default none (the first page)
   * @example
   * ```ts
   * await messaging.listMessages(conversationId, { cursor: previous.nextCursor })
   * ```
   */
  readonly cursor?: string
  /**
   * `'newest'` first (a chat window) or `'oldest'` first.
   *
   * @default 'newest'
   * @example
   * ```ts
   * await messaging.listMessages(conversationId, { order: 'oldest' })
   * ```
   */
  readonly order?: 'newest' | 'oldest'
}

/** What {@link Messaging.sendMessage} did. */
export interface SendResult {
  /** `'stored'`; `'duplicate'` when the id was already stored (nothing new written); `'queued'` in the outbox (HTTP 202). */
  readonly status: 'stored' | 'duplicate' | 'queued'
  readonly message: Message
}

/** One result of a search, with its relevance (higher first). */
export interface SearchHit {
  readonly user: UserProfile
  readonly score: number
}

/** Counters of this process, and what the store reports. */
export interface MessagingStats {
  readonly messagesStored: number
  readonly duplicates: number
  readonly queued: number
  readonly notificationsPublished: number
  readonly degradedReads: number
  readonly outboxDepth: number
}
