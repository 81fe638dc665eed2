import { randomUUID } from 'node:crypto'
import { createCache, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { createMessaging, type Messaging } from '@cachette/messaging'
import { Redis } from 'ioredis'
import { measureInTurns, type Measured, type TimedTask } from '../measure.js'
import { runId } from '../peers/contender.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import type { ScenarioContext } from './context.js'

/**
 * `@cachette/messaging` on a real redis-server against the same work written by hand with
 * ioredis: the same keys (docs/messaging.md's layout, under another namespace) and the same
 * commands, pipelined as a careful engineer would. Three tables, each contender's calls taking
 * turns one sample at a time in an order shuffled every round (`measureInTurns`):
 *
 * - send one message: the package reads the conversation (GET + HGETALL), SET NX the message,
 *   runs the conversation's index batch (MULTI ZADD, PEXPIRE, ZREMRANGEBYSCORE, HSET), ZADDs both
 *   participants' indexes, then notifies (SET, MULTI of both histories, PUBLISH): 7 round trips.
 *   By hand: GET + HGETALL in one pipeline, SET NX, then one MULTI of every index write, the
 *   notification and the PUBLISH: 3 round trips.
 * - the same with `SEND_CALLERS` sends at once, each in its own conversation;
 * - a page of `PAGE_SIZE` messages, newest first: the package's ZRANGE BYSCORE REV LIMIT (one
 *   more than the page, for the cursor) + MGET; by hand ZREVRANGE WITHSCORES of as many + MGET,
 *   each record parsed.
 */

const SEND_CALLERS = 50
const PAGE_SIZE = 50
const MESSAGE_TTL_MS = 30 * 24 * 3_600_000
const NOTIFICATION_TTL_MS = 7 * 24 * 3_600_000
const CONTENT = 'Bonjour docteur, le traitement me convient mais je dors mal depuis mardi.'

type Standalone = RedisTarget & { kind: 'standalone' }

/** docs/messaging.md's key layout under `n`, written out again as a hand-written client would. */
function handKeys(n: string) {
  return {
    message: (id: string) => `${n}:message:{${id}}`,
    conversation: (id: string) => `${n}:conversation:{${id}}`,
    conversationState: (id: string) => `${n}:conversation:{${id}}:state`,
    conversationMessages: (id: string) => `${n}:conversation:{${id}}:messages`,
    userConversations: (type: string, id: string) => `${n}:user:{${type}:${id}}:conversations`,
    notification: (id: string) => `${n}:notification:{${id}}`,
    userNotifications: (type: string, id: string, priority?: string) => `${n}:user:{${type}:${id}}:notifications${priority === undefined ? '' : `:${priority}`}`,
    notifyChannel: (type: string, id: string) => `${n}:notify:${type}:${id}`,
  }
}

type HandKeys = ReturnType<typeof handKeys>

interface StoredConversation {
  readonly id: string
  readonly participants: { readonly doctor: string; readonly patient: string }
  readonly createdAt: string
}

/** A hand-written send: what `sendMessage` does, with the round trips a careful engineer would merge. */
async function handSend(client: Redis, keys: HandKeys, conversationId: string, patientId: string): Promise<void> {
  const replies = (await client.pipeline().get(keys.conversation(conversationId)).hgetall(keys.conversationState(conversationId)).exec()) ?? []
  const raw = replies[0]?.[1] as string | null
  const state = (replies[1]?.[1] ?? {}) as Record<string, string>
  if (raw === null) throw new Error('hand send: the conversation does not exist')
  const conversation = JSON.parse(raw) as StoredConversation
  if (conversation.participants.patient !== patientId) throw new Error('hand send: the sender is not a participant')
  const now = Date.now()
  const message = { id: randomUUID(), conversationId, sender: { type: 'patient', id: patientId }, content: CONTENT, timestamp: new Date(now).toISOString(), isRead: false }
  if ((await client.set(keys.message(message.id), JSON.stringify(message), 'PX', MESSAGE_TTL_MS, 'NX')) === null) return
  const lastActivity = Math.max(now, Date.parse(state.lastActivity ?? '') || 0)
  const doctorId = conversation.participants.doctor
  const notification = {
    id: randomUUID(),
    recipient: { type: 'doctor', id: doctorId },
    kind: 'message',
    priority: 'medium',
    data: { conversationId, messageId: message.id },
    timestamp: new Date(now).toISOString(),
    isRead: false,
  }
  const notificationJson = JSON.stringify(notification)
  const index = keys.conversationMessages(conversationId)
  const histories = [keys.userNotifications('doctor', doctorId), keys.userNotifications('doctor', doctorId, 'medium')]
  const multi = client
    .multi()
    .zadd(index, now, message.id)
    .pexpire(index, MESSAGE_TTL_MS)
    .zremrangebyscore(index, '-inf', `(${now - MESSAGE_TTL_MS}`)
    .hset(keys.conversationState(conversationId), 'lastActivity', new Date(lastActivity).toISOString())
    .zadd(keys.userConversations('doctor', doctorId), lastActivity, conversationId)
    .zadd(keys.userConversations('patient', patientId), lastActivity, conversationId)
    .set(keys.notification(notification.id), notificationJson, 'PX', NOTIFICATION_TTL_MS)
  for (const key of histories) multi.zadd(key, now, notification.id).pexpire(key, NOTIFICATION_TTL_MS).zremrangebyscore(key, '-inf', `(${now - NOTIFICATION_TTL_MS}`)
  await multi.publish(keys.notifyChannel('doctor', doctorId), notificationJson).exec()
}

/** A hand-written page: newest first, one more than the page to know whether another follows. */
async function handPage(client: Redis, keys: HandKeys, conversationId: string, limit: number): Promise<unknown[]> {
  const entries = await client.zrevrange(keys.conversationMessages(conversationId), 0, limit, 'WITHSCORES')
  const ids: string[] = []
  for (let i = 0; i < entries.length && ids.length < limit; i += 2) ids.push(keys.message(entries[i] as string))
  if (ids.length === 0) return []
  const raws = await client.mget(ids)
  const items: unknown[] = []
  for (const raw of raws) if (raw !== null) items.push(JSON.parse(raw))
  return items
}

/** The hand-written side's conversation, created as `createConversation` stores it. */
async function handConversation(client: Redis, keys: HandKeys, index: number): Promise<{ id: string; patientId: string }> {
  const id = `bench-${index}`
  const patientId = `p${index}`
  const now = new Date().toISOString()
  await client.set(keys.conversation(id), JSON.stringify({ id, type: 'bench', contextId: String(index), participants: { doctor: 'd1', patient: patientId }, createdAt: now }))
  await client.hset(keys.conversationState(id), { status: 'active', lastActivity: now })
  return { id, patientId }
}

function table(title: string, unit: string, names: [string, string], stats: Map<string, Measured>, perSample: number, verified: Record<string, boolean>, notes: string[]): ScenarioResult {
  const extras: Record<string, RowExtras> = {}
  for (const name of names) {
    const measured = stats.get(name) as Measured
    extras[name] = { opsPerSec: perSample / (measured.medianMs / 1_000), verified: verified[name] === true }
  }
  return { id: 'messaging', title, store: 'redis', unit, rows: buildRows(names, stats, extras), notes }
}

/**
 * The messaging tables on the standalone redis-server: send (sequential and `SEND_CALLERS` at
 * once) and a page read, `@cachette/messaging` ÷ the hand-written ioredis calls.
 *
 * @example
 * ```ts
 * const tables = await runMessaging(ctx, servers.standalone)
 * ```
 */
export async function runMessaging(ctx: ScenarioContext, store: Standalone): Promise<ScenarioResult[]> {
  const { config, log } = ctx
  const run = runId()
  const handNamespace = `bench-${run}-hand`
  const keys = handKeys(handNamespace)
  const client = new Redis(store.port, store.host)
  const cache: Cache = createCache({ driver: ioredisDriver({ url: store.url }) })
  const messaging: Messaging = createMessaging({ cache, namespace: `bench-${run}-cachette` })
  const conversationCount = SEND_CALLERS + 1
  try {
    const hand = [] as { id: string; patientId: string }[]
    const ours = [] as { id: string; patientId: string }[]
    for (let index = 0; index < conversationCount; index++) {
      hand.push(await handConversation(client, keys, index))
      const { conversation } = await messaging.createConversation({ type: 'bench', contextId: String(index), doctorId: 'd1', patientId: `p${index}` })
      ours.push({ id: conversation.id, patientId: conversation.participants.patient })
    }
    // The page read's conversation: more than a page already, so both read a full page and a cursor.
    const [handRead, ourRead] = [hand[SEND_CALLERS], ours[SEND_CALLERS]] as [{ id: string; patientId: string }, { id: string; patientId: string }]
    for (let i = 0; i < PAGE_SIZE * 2; i++) {
      await handSend(client, keys, handRead.id, handRead.patientId)
      await messaging.sendMessage({ conversationId: ourRead.id, sender: { type: 'patient', id: ourRead.patientId }, content: CONTENT })
    }

    const handName = 'baseline: hand-written ioredis'
    const ourName = 'cachette messaging'
    const names: [string, string] = [handName, ourName]
    const [handOne, ourOne] = [hand[0], ours[0]] as [{ id: string; patientId: string }, { id: string; patientId: string }]
    const results: ScenarioResult[] = []

    log(`  Redis, send one message: hand-written ioredis and @cachette/messaging, taking turns`)
    const sendOne = await measureInTurns(
      [
        { name: handName, fn: () => handSend(client, keys, handOne.id, handOne.patientId) },
        { name: ourName, fn: () => messaging.sendMessage({ conversationId: ourOne.id, sender: { type: 'patient', id: ourOne.patientId }, content: CONTENT }) },
      ] satisfies TimedTask[],
      config,
    )
    const storedFirst = {
      [handName]: (await client.zcard(keys.conversationMessages(handOne.id))) > 0,
      [ourName]: (await messaging.conversationStats(ourOne.id)).messages > 0,
    }
    results.push(
      table('Messaging (Redis): send one message', 'one sendMessage, awaited (a new message in one conversation, its recipient notified)', names, sendOne, 1, storedFirst, [
        'Round trips per send: @cachette/messaging 7 (GET + HGETALL, SET NX, MULTI of the conversation index, ZADD of both participants, SET of the notification, MULTI of its histories, PUBLISH); by hand 3 (GET + HGETALL in a pipeline, SET NX, one MULTI of every index write, the notification and the PUBLISH).',
      ]),
    )

    log(`  Redis, ${SEND_CALLERS} concurrent sends, each in its own conversation, taking turns`)
    const handBatch = hand.slice(0, SEND_CALLERS)
    const ourBatch = ours.slice(0, SEND_CALLERS)
    const sendMany = await measureInTurns(
      [
        { name: handName, fn: () => Promise.all(handBatch.map((conversation) => handSend(client, keys, conversation.id, conversation.patientId))) },
        { name: ourName, fn: () => Promise.all(ourBatch.map((conversation) => messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: conversation.patientId }, content: CONTENT }))) },
      ] satisfies TimedTask[],
      config,
    )
    const storedAll = {
      [handName]: (await Promise.all(handBatch.map((conversation) => client.zcard(keys.conversationMessages(conversation.id))))).every((count) => count > 0),
      [ourName]: (await Promise.all(ourBatch.map((conversation) => messaging.conversationStats(conversation.id)))).every((stats) => stats.messages > 0),
    }
    results.push(
      table(`Messaging (Redis): ${SEND_CALLERS} concurrent sends`, `a batch of ${SEND_CALLERS} concurrent sendMessage calls, one per conversation; calls/s = messages sent per second`, names, sendMany, SEND_CALLERS, storedAll, [
        "@cachette/messaging's ioredis driver coalesces the commands of one event-loop turn into one socket write (coalesceWrites, its default); the hand-written client writes each pipeline and MULTI as ioredis does by default.",
      ]),
    )

    log(`  Redis, a page of ${PAGE_SIZE} messages, taking turns`)
    let handItems = 0
    let ourItems = 0
    const readPage = await measureInTurns(
      [
        {
          name: handName,
          fn: async () => {
            handItems = (await handPage(client, keys, handRead.id, PAGE_SIZE)).length
          },
        },
        {
          name: ourName,
          fn: async () => {
            ourItems = (await messaging.listMessages(ourRead.id, { limit: PAGE_SIZE })).items.length
          },
        },
      ] satisfies TimedTask[],
      config,
    )
    results.push(
      table(`Messaging (Redis): read a page of ${PAGE_SIZE} messages`, `one listMessages({ limit: ${PAGE_SIZE} }), newest first, in a conversation of more than ${PAGE_SIZE * 2} messages; calls/s = messages read per second`, names, readPage, PAGE_SIZE, { [handName]: handItems === PAGE_SIZE, [ourName]: ourItems === PAGE_SIZE }, [
        `Both read ${PAGE_SIZE + 1} index entries (one more, to know a next page exists) and MGET the ${PAGE_SIZE} records: @cachette/messaging ZRANGE BYSCORE REV LIMIT, by hand ZREVRANGE WITHSCORES.`,
      ]),
    )
    return results
  } finally {
    client.disconnect()
    await cache.close({ driver: true })
  }
}
