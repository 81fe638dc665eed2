import type { Conversation, Message, MessagingStats, Notification, NotificationPriority, Page, PageOptions, PresenceChange, Read, SearchHit, SendResult, UserProfile, UserRef, UserType } from './messaging-types.js'

/** Stops a subscription; resolves once nothing more is delivered to its listener. */
export type MessagingUnsubscribe = () => Promise<void>

/**
 * Seed 004's messaging on a cache's store. Reads never throw for a store failure: they resolve
 * `degraded: true`. Writes reject with the store's CacheError (a send goes to the outbox instead,
 * when one is given). Bad input rejects with an InvalidOptionsError and stores nothing.
 */
export interface Messaging {
  /**
   * Creates the conversation of (type, contextId, doctorId, patientId), or returns the existing
   * one: concurrent calls from any number of processes return the same conversation.
   *
   * @example
   * ```ts
   * const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5, title: 'Ordonnance #15' })
   * ```
   */
  createConversation(input: { readonly type: string; readonly contextId: string | number; readonly doctorId: string | number; readonly patientId: string | number; readonly title?: string }): Promise<{ readonly conversation: Conversation; readonly created: boolean }>
  /**
   * One conversation.
   *
   * @example
   * ```ts
   * const { value, degraded } = await messaging.getConversation(conversationId)
   * ```
   */
  getConversation(conversationId: string): Promise<Read<Conversation>>
  /**
   * A user's conversations, by last activity (newest first by default).
   *
   * @example
   * ```ts
   * const page = await messaging.listConversations({ type: 'doctor', id: 79 }, { limit: 20 })
   * ```
   */
  listConversations(user: UserRef, options?: PageOptions): Promise<Page<Conversation>>
  /**
   * Archives or re-activates a conversation; false when it does not exist.
   *
   * @example
   * ```ts
   * await messaging.setConversationStatus(conversationId, 'archived')
   * ```
   */
  setConversationStatus(conversationId: string, status: 'active' | 'archived'): Promise<boolean>
  /**
   * Sends a message (stored 30 days, indexed in its conversation, the recipient notified). Give
   * `id` to make retries idempotent: a second send of the same id stores nothing and resolves the
   * stored message with `status: 'duplicate'`. With the store down and an outbox given it resolves
   * `status: 'queued'`; without one it rejects with a MessagingError `STORE_UNAVAILABLE`.
   *
   * @example
   * ```ts
   * const { status, message } = await messaging.sendMessage({ conversationId, sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur' })
   * ```
   */
  sendMessage(input: { readonly conversationId: string; readonly sender: UserRef; readonly content: string; readonly id?: string }): Promise<SendResult>
  /**
   * A page of a conversation's messages: newest first (default) or oldest first, `nextCursor` for the next page.
   *
   * @example
   * ```ts
   * const first = await messaging.listMessages(conversationId, { limit: 50 })
   * const second = await messaging.listMessages(conversationId, { limit: 50, cursor: first.nextCursor })
   * ```
   */
  listMessages(conversationId: string, options?: PageOptions): Promise<Page<Message>>
  /**
   * One message.
   *
   * @example
   * ```ts
   * const { value } = await messaging.getMessage(messageId)
   * ```
   */
  getMessage(messageId: string): Promise<Read<Message>>
  /**
   * Marks a message read (its expiry unchanged); false when it does not exist.
   *
   * @example
   * ```ts
   * await messaging.markMessageRead(messageId)
   * ```
   */
  markMessageRead(messageId: string): Promise<boolean>
  /**
   * How many messages a conversation holds.
   *
   * @example
   * ```ts
   * const { messages } = await messaging.conversationStats(conversationId)
   * ```
   */
  conversationStats(conversationId: string): Promise<{ readonly messages: number; readonly degraded: boolean }>
  /**
   * Writes a doctor's or patient's profile and indexes it for search.
   *
   * @example
   * ```ts
   * await messaging.storeUser({ type: 'doctor', id: 79, lastName: 'Sakura', firstName: 'Élodie', specialty: 'Cardiologie' })
   * ```
   */
  storeUser(profile: { readonly type: UserType; readonly id: string | number; readonly lastName: string; readonly firstName: string; readonly email?: string; readonly specialty?: string }): Promise<UserProfile>
  /**
   * One profile.
   *
   * @example
   * ```ts
   * const { value } = await messaging.getUser({ type: 'patient', id: 5 })
   * ```
   */
  getUser(user: UserRef): Promise<Read<UserProfile>>
  /**
   * Finds users by name, specialty or email, accents and case ignored, most relevant first.
   *
   * @example
   * ```ts
   * const { items } = await messaging.searchUsers({ query: 'elodie', type: 'doctor' }) // finds 'Élodie'
   * ```
   */
  searchUsers(input: { readonly query: string; readonly type?: UserType; readonly limit?: number }): Promise<{ readonly items: readonly SearchHit[]; readonly degraded: boolean }>
  /**
   * Marks a user online for the presence TTL. The client's own heartbeat (a request every third of
   * that TTL) drives it; the package runs no timer, so a client that stops calling goes offline.
   *
   * @example
   * ```ts
   * app.put('/users/doctor/:id/presence', async (request) => messaging.heartbeat({ type: 'doctor', id: request.params.id }))
   * ```
   */
  heartbeat(user: UserRef): Promise<void>
  /**
   * Marks a user offline now.
   *
   * @example
   * ```ts
   * await messaging.goOffline({ type: 'doctor', id: 79 })
   * ```
   */
  goOffline(user: UserRef): Promise<void>
  /**
   * Whether a user is online.
   *
   * @example
   * ```ts
   * const { value: online } = await messaging.isOnline({ type: 'patient', id: 5 })
   * ```
   */
  isOnline(user: UserRef): Promise<Read<boolean>>
  /**
   * Receives presence changes published by every instance (`online` on the first heartbeat, `offline` on goOffline).
   *
   * @example
   * ```ts
   * const stop = await messaging.subscribePresence((change) => console.log(change.status))
   * ```
   */
  subscribePresence(listener: (change: PresenceChange) => void): Promise<MessagingUnsubscribe>
  /**
   * Notifies a user: published to their subscribers on every instance, kept 7 days.
   *
   * @example
   * ```ts
   * await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'prescription.ready', priority: 'high' })
   * ```
   */
  notify(input: { readonly recipient: UserRef; readonly kind: string; readonly priority?: NotificationPriority; readonly title?: string; readonly data?: Readonly<Record<string, string>> }): Promise<Notification>
  /**
   * Receives a user's notifications as they are published, from any instance.
   *
   * @example
   * ```ts
   * const unsubscribe = await messaging.subscribe({ type: 'patient', id: 5 }, (notification) => push(notification))
   * await unsubscribe()
   * ```
   */
  subscribe(user: UserRef, listener: (notification: Notification) => void): Promise<MessagingUnsubscribe>
  /**
   * A user's notification history (7 days), all priorities or one.
   *
   * @example
   * ```ts
   * const urgent = await messaging.notificationHistory({ type: 'patient', id: 5 }, { priority: 'high' })
   * ```
   */
  notificationHistory(user: UserRef, options?: PageOptions & { readonly priority?: NotificationPriority }): Promise<Page<Notification>>
  /**
   * Marks a notification read; false when it does not exist.
   *
   * @example
   * ```ts
   * await messaging.markNotificationRead(notificationId)
   * ```
   */
  markNotificationRead(notificationId: string): Promise<boolean>
  /**
   * Replays the outbox through the idempotent send; resolves how many entries were applied (0 without an outbox).
   *
   * @example
   * ```ts
   * await messaging.flushOutbox() // after the store came back
   * ```
   */
  flushOutbox(): Promise<number>
  /**
   * This process's counters and the outbox depth.
   *
   * @example
   * ```ts
   * messaging.stats().queued
   * ```
   */
  stats(): MessagingStats
}
