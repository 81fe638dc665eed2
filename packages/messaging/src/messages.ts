import { readConversationStrict, touchParticipants } from './conversations.js'
import { MessagingError } from './messaging-errors.js'
import type { Conversation, Message, Page, PageOptions, Read, SendResult, UserType } from './messaging-types.js'
import { openValues, sealValues } from './sealing.js'
import { attempt, isStoreFailure, parseRecord, readPage, type Attempt, type StoreContext } from './store-context.js'

/**
 * A message's record as stored: JSON, its `content` sealed with `kit.seal` (bound to the record's
 * key and the field `content`) when the cache has encryption. Ids, sender, timestamp and flag stay clear.
 */
async function encodeMessage(context: StoreContext, message: Message): Promise<string> {
  const sealed = await sealValues(context, context.keys.message(message.id), { content: message.content })
  return JSON.stringify({ ...message, content: sealed.content })
}

/** A stored message record, opened; undefined when absent, undecodable or when its content does not open. */
async function decodeMessage(context: StoreContext, key: string, raw: string | null): Promise<Message | undefined> {
  const record = parseRecord<Message>(context, raw)
  if (record === undefined) return undefined
  if (typeof record.content !== 'string') {
    context.kit.corrupted('a messaging record could not be decoded; it was skipped', 'DECODE_FAILED')
    return undefined
  }
  const opened = await openValues(context, key, { content: record.content })
  return opened === undefined ? undefined : { ...record, content: opened.content as string }
}

/** What happens after a new message is stored: the recipient's notification. */
export type OnStored = (message: Message, conversation: Conversation) => Promise<void>

/**
 * Stores a message idempotently: SET NX of its record (30 days), then its conversation's index
 * (ZADD, PEXPIRE and trimming of what expired, one batch in the conversation's slot), the
 * conversation's last activity and both participants' indexes. A second store of the same id
 * writes no record and returns the stored one, but repairs the indexes (a replay after a send
 * that failed half-way). Store failures reject.
 */
export async function storeMessage(context: StoreContext, message: Message, onStored: OnStored): Promise<SendResult> {
  const { kit, keys, options } = context
  const conversation = await readConversationStrict(context, message.conversationId)
  if (conversation === undefined) throw new MessagingError('CONVERSATION_NOT_FOUND', '[@cachette/messaging] sendMessage: the conversation does not exist')
  const { doctor, patient } = conversation.participants
  const participant = message.sender.type === 'doctor' ? doctor === message.sender.id : patient === message.sender.id
  if (!participant) throw new MessagingError('NOT_A_PARTICIPANT', '[@cachette/messaging] sendMessage: the sender is not a participant of the conversation')

  const record = await encodeMessage(context, message)
  const stored = await kit.call('set', (driver) => driver.set(keys.message(message.id), record, { ttlMs: options.messageTtlMs, condition: 'nx' }))
  let kept = message
  if (!stored) {
    const raw = await kit.call('get', (driver) => driver.get(keys.message(message.id)))
    const existing = await decodeMessage(context, keys.message(message.id), raw)
    // Gone between the SET NX and the GET (expired), or unreadable (corrupted, does not open):
    // nothing to repair from, the id is spent.
    if (existing === undefined) return { status: 'duplicate', message }
    kept = existing
  }
  const score = Date.parse(kept.timestamp)
  const index = keys.conversationMessages(kept.conversationId)
  await kit.call('set', (driver) =>
    driver.batch([
      { op: 'zadd', key: index, entries: [{ member: kept.id, score }] },
      { op: 'pexpire', key: index, ttlMs: options.messageTtlMs },
      { op: 'zremRangeByScore', key: index, min: '-inf', max: { exclusive: Date.now() - options.messageTtlMs } },
      { op: 'hset', key: keys.conversationState(kept.conversationId), fields: { lastActivity: new Date(Math.max(score, Date.parse(conversation.lastActivity) || 0)).toISOString() } },
    ]),
  )
  await touchParticipants(context, conversation, Math.max(score, Date.parse(conversation.lastActivity) || 0))
  if (!stored) {
    context.counters.duplicates += 1
    return { status: 'duplicate', message: kept }
  }
  context.counters.messagesStored += 1
  await onStored(kept, conversation)
  return { status: 'stored', message: kept }
}

/**
 * `storeMessage`, with the outbox taking a message the store could not: resolves `'queued'`.
 * Without an outbox a store failure rejects as a MessagingError `STORE_UNAVAILABLE`.
 */
export async function sendOrQueue(context: StoreContext, message: Message, onStored: OnStored): Promise<SendResult> {
  try {
    return await storeMessage(context, message, onStored)
  } catch (error) {
    if (!isStoreFailure(error)) throw error
    const outbox = context.options.outbox
    if (outbox === undefined) throw new MessagingError('STORE_UNAVAILABLE', '[@cachette/messaging] sendMessage: the store is unavailable', { cause: error })
    await outbox.append({ kind: 'message', message })
    context.counters.queued += 1
    return { status: 'queued', message }
  }
}

async function loadMessages(context: StoreContext, ids: readonly string[]): Promise<Attempt<(Message | undefined)[]>> {
  const keys = ids.map((id) => context.keys.message(id))
  const raws = await attempt(context, (driver) => driver.mget(keys))
  if (!raws.ok) return raws
  return { ok: true, value: await Promise.all(raws.value.map((raw, index) => decodeMessage(context, keys[index] as string, raw ?? null))) }
}

/** A page of a conversation's messages; a store failure is `degraded`. */
export function listMessages(context: StoreContext, conversationId: string, options: PageOptions | undefined): Promise<Page<Message>> {
  return readPage(context, context.keys.conversationMessages(conversationId), options, (ids) => loadMessages(context, ids))
}

/** One message; a store failure is `degraded`. */
export async function getMessage(context: StoreContext, id: string): Promise<Read<Message>> {
  const loaded = await loadMessages(context, [id])
  return loaded.ok ? { value: loaded.value[0], degraded: false } : { value: undefined, degraded: true }
}

/**
 * Rewrites a JSON record with `isRead: true`, keeping its expiry (computed from its timestamp:
 * the record is immutable but for this flag, so a concurrent mark writes the same thing) and
 * never re-creating an expired one (SET XX). Sealed values are rewritten as they are (still bound
 * to the same key). Resolves false when absent. Store failures reject.
 */
export async function markRecordRead(context: StoreContext, key: string, ttlMs: number): Promise<boolean> {
  const { kit } = context
  const record = parseRecord<{ timestamp: string; isRead: boolean }>(context, await kit.call('get', (driver) => driver.get(key)))
  if (record === undefined) return false
  if (record.isRead) return true
  const remainingMs = Date.parse(record.timestamp) + ttlMs - Date.now()
  if (!(remainingMs >= 1)) return false
  return kit.call('set', (driver) => driver.set(key, JSON.stringify({ ...record, isRead: true }), { ttlMs: Math.floor(remainingMs), condition: 'xx' }))
}

/** Messages a conversation holds, and whether the store answered. */
export async function conversationStats(context: StoreContext, conversationId: string): Promise<{ readonly messages: number; readonly degraded: boolean }> {
  const count = await attempt(context, (driver) => driver.zcard(context.keys.conversationMessages(conversationId)))
  return count.ok ? { messages: count.value, degraded: false } : { messages: 0, degraded: true }
}

/** The other participant of a conversation. */
export function recipientOf(message: Message, conversation: Conversation): { readonly type: UserType; readonly id: string } {
  return message.sender.type === 'doctor' ? { type: 'patient', id: conversation.participants.patient } : { type: 'doctor', id: conversation.participants.doctor }
}
