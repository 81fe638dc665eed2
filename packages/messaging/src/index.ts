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
export { memoryOutbox } from './outbox/memory-outbox.js'
export type { MemoryOutboxOptions } from './outbox/memory-outbox.js'
export { webStorageOutbox } from './outbox/web-storage-outbox.js'
export type { StorageLike, WebStorageOutboxOptions } from './outbox/web-storage-outbox.js'
export { OutboxError, OutboxFullError, isOutboxError, isOutboxFullError } from './outbox/errors.js'
export type { OutboxErrorCode } from './outbox/errors.js'
export type { Outbox, OutboxCodecOptions, OutboxLimitOptions } from './outbox/shared.js'
