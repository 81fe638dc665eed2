export { createMessaging } from './messaging.js'
export { conversationIdOf } from './conversations.js'
export type { Messaging, MessagingUnsubscribe } from './messaging-api.js'
export type { MessagingOptions } from './option-support.js'
export type { MessagingOutbox, OutboxEntry } from './outbox-port.js'
export { MessagingError, isMessagingError } from './messaging-errors.js'
export type { MessagingErrorCode } from './messaging-errors.js'
export { foldText } from './text-search.js'
export type {
  Conversation,
  Message,
  MessagingStats,
  Notification,
  NotificationPriority,
  Page,
  PageOptions,
  PresenceChange,
  Read,
  SearchHit,
  SendResult,
  UserProfile,
  UserRef,
  UserType,
} from './messaging-types.js'
