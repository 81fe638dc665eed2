import { sha256, toHex } from '@cachette/core'
import type { Conversation, Page, PageOptions, Read, UserType } from './messaging-types.js'
import { openValues, sealValues } from './sealing.js'
import { attempt, parseRecord, readPage, type Attempt, type StoreContext } from './store-context.js'

/** What a conversation's creation fixes once; status and last activity live in its state HASH. */
type ConversationRecord = Omit<Conversation, 'status' | 'lastActivity'>

/**
 * The id of the conversation of a tuple: the same (type, context, doctor, patient) names the same
 * conversation in every process, so its creation is one SET NX, never check-then-set.
 *
 * @example
 * ```ts
 * conversationIdOf('ordonnance', '15', '79', '5') // 'c' + 32 hex characters
 * ```
 */
export function conversationIdOf(type: string, contextId: string, doctorId: string, patientId: string): string {
  // Line feeds cannot occur in the validated parts, so the fields cannot run into each other.
  return `c${toHex(sha256(`${type}\n${contextId}\n${doctorId}\n${patientId}`)).slice(0, 32)}`
}

/**
 * Creates the conversation of a tuple once: SET NX of its record, then a read of whichever record
 * won, so concurrent creations everywhere return the same conversation. Store failures reject.
 */
export async function createConversation(
  context: StoreContext,
  input: { readonly type: string; readonly contextId: string; readonly doctorId: string; readonly patientId: string; readonly title?: string | undefined },
): Promise<{ readonly conversation: Conversation; readonly created: boolean }> {
  const { kit, keys } = context
  const id = conversationIdOf(input.type, input.contextId, input.doctorId, input.patientId)
  const now = new Date().toISOString()
  const record: ConversationRecord = {
    id,
    type: input.type,
    contextId: input.contextId,
    participants: { doctor: input.doctorId, patient: input.patientId },
    ...(input.title === undefined ? {} : { title: input.title }),
    createdAt: now,
  }
  // The title is the one free text: sealed (bound to the record's key and `title`) with encryption.
  const sealed = await sealValues(context, keys.conversation(id), { title: record.title })
  const created = await kit.call('set', (driver) => driver.set(keys.conversation(id), JSON.stringify({ ...record, ...sealed }), { condition: 'nx' }))
  if (created) {
    const score = Date.parse(now)
    // One slot: the record, its state and its index share the {id} tag.
    await kit.call('set', (driver) => driver.hset(keys.conversationState(id), { status: 'active', lastActivity: now }))
    await touchParticipants(context, record, score)
    return { conversation: { ...record, status: 'active', lastActivity: now }, created: true }
  }
  const stored = await readConversationStrict(context, id)
  return { conversation: stored ?? { ...record, status: 'active', lastActivity: now }, created: false }
}

/** Moves the conversation up both participants' indexes (score = last activity). */
export async function touchParticipants(context: StoreContext, record: ConversationRecord, score: number): Promise<void> {
  const { kit, keys } = context
  const entry = [{ member: record.id, score }]
  await Promise.all([
    kit.call('set', (driver) => driver.zadd(keys.userConversations('doctor', record.participants.doctor), entry)),
    kit.call('set', (driver) => driver.zadd(keys.userConversations('patient', record.participants.patient), entry)),
  ])
}

/** Reads a conversation; store failures reject (for writes that need it). */
export async function readConversationStrict(context: StoreContext, id: string): Promise<Conversation | undefined> {
  const { kit, keys } = context
  const [raw, state] = await Promise.all([
    kit.call('get', (driver) => driver.get(keys.conversation(id))),
    kit.call('get', (driver) => driver.hgetall(keys.conversationState(id))),
  ])
  return assemble(context, id, raw, state)
}

/** A conversation from its record and state; undefined when absent, undecodable or when its title does not open. */
async function assemble(context: StoreContext, id: string, raw: string | null, state: Record<string, string>): Promise<Conversation | undefined> {
  const stored = parseRecord<ConversationRecord>(context, raw)
  if (stored === undefined) return undefined
  let record = stored
  if (stored.title !== undefined) {
    if (typeof stored.title !== 'string') {
      context.kit.corrupted('a messaging record could not be decoded; it was skipped', 'DECODE_FAILED')
      return undefined
    }
    const opened = await openValues(context, context.keys.conversation(id), { title: stored.title })
    if (opened === undefined) return undefined
    record = { ...stored, title: opened.title as string }
  }
  return { ...record, status: state.status === 'archived' ? 'archived' : 'active', lastActivity: state.lastActivity ?? record.createdAt }
}

async function loadConversations(context: StoreContext, ids: readonly string[]): Promise<Attempt<(Conversation | undefined)[]>> {
  const { keys } = context
  const raws = await attempt(context, (driver) => driver.mget(ids.map((id) => keys.conversation(id))))
  if (!raws.ok) return raws
  const states = await attempt(context, (driver) => Promise.all(ids.map((id) => driver.hgetall(keys.conversationState(id)))))
  if (!states.ok) return states
  return { ok: true, value: await Promise.all(ids.map((id, index) => assemble(context, id, raws.value[index] ?? null, states.value[index] ?? {}))) }
}

/** Reads one conversation; a store failure is `degraded`. */
export async function getConversation(context: StoreContext, id: string): Promise<Read<Conversation>> {
  const loaded = await loadConversations(context, [id])
  return loaded.ok ? { value: loaded.value[0], degraded: false } : { value: undefined, degraded: true }
}

/** A user's conversations, most recent activity first (or oldest with `order: 'oldest'`). */
export function listUserConversations(context: StoreContext, type: UserType, id: string, options: PageOptions | undefined): Promise<Page<Conversation>> {
  return readPage(context, context.keys.userConversations(type, id), options, (ids) => loadConversations(context, ids))
}

/** Sets a conversation's status; false when it does not exist. Store failures reject. */
export async function setConversationStatus(context: StoreContext, id: string, status: 'active' | 'archived'): Promise<boolean> {
  const { kit, keys } = context
  const exists = await kit.call('get', (driver) => driver.get(keys.conversation(id)))
  if (exists === null) return false
  await kit.call('set', (driver) => driver.hset(keys.conversationState(id), { status }))
  return true
}
