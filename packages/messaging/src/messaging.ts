import { cacheKit } from '@cachette/core/kit'
import { conversationIdOf, createConversation, getConversation, listUserConversations, setConversationStatus } from './conversations.js'
import { newId } from './ids.js'
import { conversationSchema, historySchema, idSchema, listenerSchema, messageIdSchema, notifySchema, pageSchema, profileSchema, searchSchema, sendSchema, statusSchema, userRefSchema } from './input-schemas.js'
import { keyLayout } from './key-layout.js'
import type { Messaging, MessagingUnsubscribe } from './messaging-api.js'
import type { Message, Notification, PresenceChange, UserType } from './messaging-types.js'
import { conversationStats, getMessage, listMessages, markRecordRead, recipientOf, sendOrQueue, storeMessage } from './messages.js'
import { markNotificationRead, notificationHistory, notify } from './notifications.js'
import { parseInput, resolveOptions, type MessagingOptions } from './option-support.js'
import type { OutboxEntry } from './outbox-port.js'
import { isSealed } from './sealing.js'
import type { StoreContext } from './store-context.js'
import { getUser, goOffline, heartbeat, isOnline, searchUsers, storeUser } from './users.js'

const ALL_TYPES: readonly UserType[] = ['doctor', 'patient']

/**
 * Seed 004's doctor–patient messaging on a cache's store, through `@cachette/core/kit`: messages
 * (30 days, paged per conversation, idempotent sends), conversations created once per
 * (type, context, doctor, patient), profiles with presence and accent-insensitive search, and
 * notifications published on every instance with a 7-day history. See docs/messaging.md.
 *
 * @throws InvalidOptionsError for bad options; MissingCapabilityError when the cache's driver lacks
 *   hashes, sets, sorted sets, pub/sub or batches.
 * @example
 * ```ts
 * import { createCache } from '@cachette/core'
 * import { ioredisDriver } from '@cachette/ioredis'
 * import { createMessaging } from '@cachette/messaging'
 *
 * const messaging = createMessaging({ cache: createCache({ driver: ioredisDriver({ url: process.env.REDIS_URL }) }) })
 * const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
 * await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur' })
 * ```
 */
export function createMessaging(options: MessagingOptions): Messaging {
  const resolved = resolveOptions(options)
  const kit = cacheKit(resolved.cache, {
    name: '@cachette/messaging',
    label: resolved.label,
    requires: ['hashes', 'sets', 'sortedSets', 'pubsub', 'batch'],
    template: `${resolved.namespace}:conversation:{id}:messages`,
  })
  const context: StoreContext = {
    kit,
    keys: keyLayout(resolved.namespace),
    options: resolved,
    counters: { messagesStored: 0, duplicates: 0, queued: 0, notificationsPublished: 0, degradedReads: 0 },
    // Encryption at rest leaves no word of a profile in the store: HMACs with a secret, else no index.
    search: resolved.searchSecret !== undefined ? { mode: 'hmac', secret: resolved.searchSecret } : kit.encrypted ? { mode: 'off' } : { mode: 'plain' },
  }
  const onStored = async (message: Message, conversation: Parameters<typeof recipientOf>[1]) => {
    await notify(context, { recipient: recipientOf(message, conversation), kind: 'message', priority: 'medium', data: { conversationId: message.conversationId, messageId: message.id } })
  }
  const user = (input: unknown, where: string) => parseInput(userRefSchema, input, where)
  const id = (input: unknown, where: string) => parseInput(idSchema, input, where)

  async function listen<T>(channel: string, listener: (value: T) => void): Promise<MessagingUnsubscribe> {
    parseInput(listenerSchema, listener, 'subscribe')
    let active = true
    const deliver = (text: string | undefined) => {
      // Undefined: a sealed event that did not open (counted and logged by the kit); dropped.
      if (text === undefined || !active) return
      let value: T
      try {
        value = JSON.parse(text) as T
      } catch {
        return kit.corrupted('a published messaging event could not be decoded; it was dropped', 'DECODE_FAILED')
      }
      listener(value)
    }
    // Sealed events open asynchronously: one chain per subscription keeps them in publication
    // order; a listener that throws is ignored, as the driver ignores it for plain events.
    let chain: Promise<void> = Promise.resolve()
    const unsubscribe = await kit.call('get', (driver) =>
      driver.subscribe(channel, (raw) => {
        if (!isSealed(raw)) return deliver(raw)
        chain = chain.then(async () => deliver(await kit.open(channel, 'event', raw))).catch(() => undefined)
      }),
    )
    return async () => {
      // Nothing is delivered once the unsubscribe resolves, not even an event still opening.
      active = false
      await unsubscribe()
    }
  }

  return {
    async createConversation(input) {
      const valid = parseInput(conversationSchema, input, 'createConversation')
      return createConversation(context, valid)
    },
    getConversation: (conversationId) => getConversation(context, id(conversationId, 'getConversation')),
    async listConversations(who, page) {
      const valid = user(who, 'listConversations')
      return listUserConversations(context, valid.type, valid.id, parseInput(pageSchema, page, 'listConversations'))
    },
    async setConversationStatus(conversationId, status) {
      return setConversationStatus(context, id(conversationId, 'setConversationStatus'), parseInput(statusSchema, status, 'setConversationStatus'))
    },
    async sendMessage(input) {
      const valid = parseInput(sendSchema, input, 'sendMessage')
      const now = Date.now()
      const message: Message = {
        id: valid.id ?? newId(now),
        conversationId: valid.conversationId,
        sender: valid.sender,
        content: valid.content,
        timestamp: new Date(now).toISOString(),
        isRead: false,
      }
      return sendOrQueue(context, message, onStored)
    },
    async listMessages(conversationId, page) {
      return listMessages(context, id(conversationId, 'listMessages'), parseInput(pageSchema, page, 'listMessages'))
    },
    async getMessage(messageId) {
      return getMessage(context, parseInput(messageIdSchema, messageId, 'getMessage'))
    },
    async markMessageRead(messageId) {
      const valid = parseInput(messageIdSchema, messageId, 'markMessageRead')
      return markRecordRead(context, context.keys.message(valid), resolved.messageTtlMs)
    },
    async conversationStats(conversationId) {
      return conversationStats(context, id(conversationId, 'conversationStats'))
    },
    async storeUser(profile) {
      const valid = parseInput(profileSchema, profile, 'storeUser')
      return storeUser(context, {
        type: valid.type,
        id: valid.id,
        lastName: valid.lastName,
        firstName: valid.firstName,
        ...(valid.email === undefined ? {} : { email: valid.email }),
        ...(valid.specialty === undefined ? {} : { specialty: valid.specialty }),
      })
    },
    async getUser(who) {
      const valid = user(who, 'getUser')
      return getUser(context, valid.type, valid.id)
    },
    async searchUsers(input) {
      const valid = parseInput(searchSchema, input, 'searchUsers')
      return searchUsers(context, valid.query, valid.type === undefined ? ALL_TYPES : [valid.type], valid.limit ?? 20)
    },
    async heartbeat(who) {
      const valid = user(who, 'heartbeat')
      return heartbeat(context, valid.type, valid.id)
    },
    async goOffline(who) {
      const valid = user(who, 'goOffline')
      return goOffline(context, valid.type, valid.id)
    },
    async isOnline(who) {
      const valid = user(who, 'isOnline')
      return isOnline(context, valid.type, valid.id)
    },
    subscribePresence: (listener) => listen<PresenceChange>(context.keys.presenceChannel(), listener),
    async notify(input) {
      const valid = parseInput(notifySchema, input, 'notify')
      return notify(context, valid)
    },
    async subscribe(who, listener) {
      const valid = user(who, 'subscribe')
      return listen<Notification>(context.keys.notifyChannel(valid.type, valid.id), listener)
    },
    async notificationHistory(who, page) {
      const valid = user(who, 'notificationHistory')
      return notificationHistory(context, valid.type, valid.id, parseInput(historySchema, page, 'notificationHistory'))
    },
    async markNotificationRead(notificationId) {
      return markNotificationRead(context, parseInput(messageIdSchema, notificationId, 'markNotificationRead'))
    },
    async flushOutbox() {
      const outbox = resolved.outbox
      if (outbox === undefined) return 0
      return outbox.replay(async (entry: OutboxEntry) => {
        await storeMessage(context, entry.message, onStored)
      })
    },
    stats() {
      return { ...context.counters, outboxDepth: resolved.outbox?.depth ?? 0 }
    },
  }
}

