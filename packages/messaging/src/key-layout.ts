import type { UserType } from './messaging-types.js'

/**
 * The seed's key layout, with Redis Cluster hash tags: every atomic batch touches keys of one tag
 * only. A conversation's record, state and message index share `{<conversationId>}`; a user's
 * profile, presence, conversations and notification histories share `{<type>:<id>}`. The search
 * index keys carry no tag (each is written alone). See docs/messaging.md.
 */
export interface KeyLayout {
  message(id: string): string
  conversation(id: string): string
  conversationState(id: string): string
  conversationMessages(id: string): string
  user(type: UserType, id: string): string
  userPresence(type: UserType, id: string): string
  userConversations(type: UserType, id: string): string
  notification(id: string): string
  userNotifications(type: UserType, id: string, priority?: string): string
  searchTerm(type: UserType, word: string): string
  searchPrefix(type: UserType, prefix: string): string
  notifyChannel(type: UserType, id: string): string
  presenceChannel(): string
}

/**
 * The layout under `namespace` (the seed's `messaging`).
 *
 * @example
 * ```ts
 * keyLayout('messaging').conversationMessages('c1') // 'messaging:conversation:{c1}:messages'
 * ```
 */
export function keyLayout(namespace: string): KeyLayout {
  const n = namespace
  return {
    message: (id) => `${n}:message:{${id}}`,
    conversation: (id) => `${n}:conversation:{${id}}`,
    conversationState: (id) => `${n}:conversation:{${id}}:state`,
    conversationMessages: (id) => `${n}:conversation:{${id}}:messages`,
    user: (type, id) => `${n}:user:{${type}:${id}}`,
    userPresence: (type, id) => `${n}:user:{${type}:${id}}:presence`,
    userConversations: (type, id) => `${n}:user:{${type}:${id}}:conversations`,
    notification: (id) => `${n}:notification:{${id}}`,
    userNotifications: (type, id, priority) => `${n}:user:{${type}:${id}}:notifications${priority === undefined ? '' : `:${priority}`}`,
    searchTerm: (type, word) => `${n}:search:${type}:term:${word}`,
    searchPrefix: (type, prefix) => `${n}:search:${type}:prefix:${prefix}`,
    notifyChannel: (type, id) => `${n}:notify:${type}:${id}`,
    presenceChannel: () => `${n}:presence`,
  }
}
