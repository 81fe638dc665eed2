import { describe, expect, it } from 'vitest'
import { createMessaging, type Notification, type PresenceChange } from '../src/index.js'
import { cacheOn, eventually, randomNamespace, redisServerForFile } from './support/messaging.js'

const redis = redisServerForFile()
const DAY_MS = 86_400_000

describe('on a real redis-server', () => {
  it('keeps messages and their index 30 days, notifications and histories 7 days (PTTL)', async () => {
    const driver = redis.driver()
    const namespace = randomNamespace()
    const messaging = createMessaging({ cache: cacheOn(driver), namespace })
    const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
    const { message } = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur' })
    const within = (ttlMs: number, expected: number) => {
      expect(ttlMs).toBeGreaterThan(expected - 60_000)
      expect(ttlMs).toBeLessThanOrEqual(expected)
    }
    within(await driver.pttl(`${namespace}:message:{${message.id}}`), 30 * DAY_MS)
    within(await driver.pttl(`${namespace}:conversation:{${conversation.id}}:messages`), 30 * DAY_MS)
    const [notification] = (await messaging.notificationHistory({ type: 'doctor', id: 79 })).items
    within(await driver.pttl(`${namespace}:notification:{${notification!.id}}`), 7 * DAY_MS)
    within(await driver.pttl(`${namespace}:user:{doctor:79}:notifications`), 7 * DAY_MS)
    within(await driver.pttl(`${namespace}:user:{doctor:79}:notifications:medium`), 7 * DAY_MS)
    await messaging.markMessageRead(message.id)
    within(await driver.pttl(`${namespace}:message:{${message.id}}`), 30 * DAY_MS)
  })

  it('pages a conversation in time order, newest first and oldest first', async () => {
    const messaging = createMessaging({ cache: cacheOn(redis.driver()), namespace: randomNamespace() })
    const { conversation } = await messaging.createConversation({ type: 'rdv', contextId: 'r1', doctorId: 79, patientId: 5 })
    const ids: string[] = []
    for (let index = 0; index < 9; index += 1) {
      ids.push((await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'doctor', id: 79 }, content: `m${index}` })).message.id)
    }
    for (const order of ['newest', 'oldest'] as const) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await messaging.listMessages(conversation.id, { limit: 4, order, ...(cursor === undefined ? {} : { cursor }) })
        seen.push(...page.items.map((message) => message.id))
        cursor = page.nextCursor
      } while (cursor !== undefined)
      expect(seen).toEqual(order === 'oldest' ? ids : [...ids].reverse())
    }
  })

  it('sends idempotently on a client id', async () => {
    const messaging = createMessaging({ cache: cacheOn(redis.driver()), namespace: randomNamespace() })
    const { conversation } = await messaging.createConversation({ type: 'rdv', contextId: 'r2', doctorId: 79, patientId: 5 })
    const input = { conversationId: conversation.id, sender: { type: 'patient' as const, id: 5 }, content: 'x', id: 'outbox-42' }
    const first = await messaging.sendMessage(input)
    const second = await messaging.sendMessage({ ...input, content: 'y' })
    expect(second).toEqual({ status: 'duplicate', message: first.message })
    expect((await messaging.conversationStats(conversation.id)).messages).toBe(1)
  })

  it('50 concurrent creations through two caches give one conversation', async () => {
    const namespace = randomNamespace()
    const instances = [createMessaging({ cache: cacheOn(redis.driver()), namespace }), createMessaging({ cache: cacheOn(redis.driver()), namespace })]
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => instances[index % 2]!.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5, title: `t${index}` })),
    )
    expect(new Set(results.map((result) => result.conversation.id)).size).toBe(1)
    expect(new Set(results.map((result) => result.conversation.createdAt)).size).toBe(1)
    expect(results.filter((result) => result.created)).toHaveLength(1)
    expect((await instances[0]!.listConversations({ type: 'patient', id: 5 })).items).toHaveLength(1)
  })

  it('publishes notifications and presence across two driver instances within a second', async () => {
    const namespace = randomNamespace()
    const publisher = createMessaging({ cache: cacheOn(redis.driver()), namespace })
    const listener = createMessaging({ cache: cacheOn(redis.driver()), namespace })
    const received: Notification[] = []
    const changes: PresenceChange[] = []
    const unsubscribe = await listener.subscribe({ type: 'patient', id: 5 }, (notification) => received.push(notification))
    const stopPresence = await listener.subscribePresence((change) => changes.push(change))
    const sent = await publisher.notify({ recipient: { type: 'patient', id: 5 }, kind: 'prescription.ready', priority: 'high' })
    await publisher.heartbeat({ type: 'doctor', id: 79 })
    await eventually(() => received.length === 1 && changes.length === 1, 1_000)
    expect(received[0]).toEqual(sent)
    expect(changes[0]).toEqual({ user: { type: 'doctor', id: '79' }, status: 'online' })
    await unsubscribe()
    await stopPresence()
    await publisher.notify({ recipient: { type: 'patient', id: 5 }, kind: 'late' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(received).toHaveLength(1)
  })

  it('a user whose heartbeats stop goes offline by itself', async () => {
    const messaging = createMessaging({ cache: cacheOn(redis.driver()), namespace: randomNamespace(), presenceTtl: '300ms' })
    await messaging.heartbeat({ type: 'doctor', id: 79 })
    expect((await messaging.isOnline({ type: 'doctor', id: 79 })).value).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect((await messaging.isOnline({ type: 'doctor', id: 79 })).value).toBe(false)
  })

  it('searches accent- and case-insensitively, exact names first', async () => {
    const messaging = createMessaging({ cache: cacheOn(redis.driver()), namespace: randomNamespace() })
    await messaging.storeUser({ type: 'doctor', id: 79, lastName: 'Sakura', firstName: 'Élodie', specialty: 'Cardiologie' })
    await messaging.storeUser({ type: 'doctor', id: 80, lastName: 'Elodieux', firstName: 'Marc', specialty: 'Cardiologie' })
    const { items } = await messaging.searchUsers({ query: 'elodie', type: 'doctor' })
    expect(items.map((hit) => hit.user.id)).toEqual(['79', '80'])
    expect(items[0]!.user.firstName).toBe('Élodie')
  })
})
