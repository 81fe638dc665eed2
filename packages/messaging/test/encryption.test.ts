import { randomBytes } from 'node:crypto'
import { createCache, memoryDriver, type Cache, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMessaging, isMessagingError, type Messaging, type MessagingOptions, type Notification, type PresenceChange } from '../src/index.js'
import { capturingLogger, eventually, randomNamespace } from './support/messaging.js'

const KEY_A = randomBytes(32)
const KEY_B = randomBytes(32)
const SEARCH_SECRET = randomBytes(32).toString('base64')

const DOCTOR = { type: 'doctor' as const, id: 79, lastName: 'Kouadio-Zanzibaro', firstName: 'Élodie', email: 'elodie.quetzalmed@clinique.example', specialty: 'Cardiologie' }
const PATIENT = { type: 'patient' as const, id: 5, lastName: 'Brazzavilloni', firstName: 'Quentinou', email: 'q.brazzavilloni@mail.example' }
const TITLE = 'Suivi Zyrtolamine'
const BODIES = ['Ma glycémie Xylophrenic est à 2,4 g/l', 'Prenez la Zyrtolamine matin et soir']
const NOTE = { title: 'Résultat Hemoglobinex', data: { note: 'Tachycardix sévère' } }

/** Every piece of personal or health data the tests store, as given and as the search folds it. */
const PHI = [
  'Kouadio',
  'Zanzibaro',
  'Élodie',
  'elodie',
  'quetzalmed',
  'Cardiologie',
  'cardio',
  'Brazzavilloni',
  'brazza',
  'Quentinou',
  'Zyrtolamine',
  'zyrtol',
  'glycémie',
  'glycemie',
  'Xylophrenic',
  'Hemoglobinex',
  'Tachycardix',
  'sévère',
]

function containsPhi(dump: string): string[] {
  const lower = dump.toLowerCase()
  return PHI.filter((word) => lower.includes(word.toLowerCase()))
}

type Encryption = { keys: Record<string, Uint8Array>; current: string } | undefined
const onlyA: Encryption = { keys: { a: KEY_A }, current: 'a' }
const onlyB: Encryption = { keys: { b: KEY_B }, current: 'b' }

describe.each(['memory', 'redis'] as const)('encryption at rest on %s', (store) => {
  let server: RedisServerHandle | undefined
  let shared: Driver | undefined
  const drivers: Driver[] = []
  const clients: Redis[] = []

  beforeAll(async () => {
    if (store === 'redis') server = await startRedisServer()
    else shared = memoryDriver()
  })

  afterAll(async () => {
    await Promise.all(drivers.map((driver) => driver.close()))
    for (const client of clients) client.disconnect()
    await shared?.close()
    await server?.stop()
  })

  function driver(): Driver {
    if (shared !== undefined) return shared
    const made = ioredisDriver({ url: (server as RedisServerHandle).url })
    drivers.push(made)
    return made
  }

  function raw(): Redis {
    const client = new Redis((server as RedisServerHandle).url)
    clients.push(client)
    return client
  }

  function instance(namespace: string, encryption: Encryption, options: Partial<MessagingOptions> = {}): { cache: Cache; messaging: Messaging; logger: ReturnType<typeof capturingLogger> } {
    const logger = capturingLogger()
    const cache = createCache({ driver: driver(), env: false, logger, deadlineMs: 2_000, ...(encryption === undefined ? {} : { encryption }) })
    return { cache, logger, messaging: createMessaging({ cache, namespace, ...options }) }
  }

  /**
   * Every key of the namespace and everything it holds: on redis-server SCAN + TYPE + GET / HGETALL
   * / SMEMBERS / ZRANGE / LRANGE; on the memory driver each read is tried (no TYPE there).
   */
  async function dump(namespace: string): Promise<{ keys: string[]; text: string }> {
    const keys: string[] = []
    const parts: string[] = []
    if (server !== undefined) {
      const client = raw()
      let cursor = '0'
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500)
        cursor = next
        keys.push(...found)
      } while (cursor !== '0')
      for (const key of new Set(keys)) {
        const type = await client.type(key)
        const value =
          type === 'string'
            ? await client.get(key)
            : type === 'hash'
              ? await client.hgetall(key)
              : type === 'set'
                ? await client.smembers(key)
                : type === 'zset'
                  ? await client.zrange(key, 0, -1, 'WITHSCORES')
                  : type === 'list'
                    ? await client.lrange(key, 0, -1)
                    : `unexpected type ${type}`
        parts.push(key, type, JSON.stringify(value))
      }
    } else {
      const memory = shared as Driver
      for await (const key of memory.scan(`${namespace}:*`)) keys.push(key)
      for (const key of new Set(keys)) {
        parts.push(key)
        const reads: (() => Promise<unknown>)[] = [
          () => memory.get(key),
          () => memory.hgetall!(key),
          () => memory.smembers!(key),
          () => memory.zrangeByScore!(key, '-inf', '+inf'),
        ]
        for (const read of reads) parts.push(JSON.stringify(await read().catch(() => null)))
      }
    }
    return { keys: [...new Set(keys)], text: parts.join('\n') }
  }

  /** Stores the test's profiles, conversation, messages and a notification; resolves what a reader needs. */
  async function populate(messaging: Messaging) {
    await messaging.storeUser(DOCTOR)
    await messaging.storeUser(PATIENT)
    const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5, title: TITLE })
    const sent = []
    for (const content of BODIES) sent.push((await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content })).message)
    const notification = await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'result.ready', priority: 'high', ...NOTE })
    return { conversation, sent, notification }
  }

  it('leaves no message text, name, email, title or notification text in the store, and reads everything back', async () => {
    const namespace = randomNamespace()
    const { messaging, cache } = instance(namespace, onlyA, { searchSecret: SEARCH_SECRET })
    const { conversation, sent, notification } = await populate(messaging)

    const { keys, text } = await dump(namespace)
    expect(keys.length).toBeGreaterThan(10)
    expect(keys.some((key) => key.includes(':search:doctor:term:'))).toBe(true)
    expect(containsPhi(text)).toEqual([])
    expect(text).toContain('@s1 a ')

    expect((await messaging.listMessages(conversation.id, { order: 'oldest' })).items.map((message) => message.content)).toEqual(BODIES)
    expect((await messaging.getMessage(sent[0]!.id)).value).toEqual(sent[0])
    expect((await messaging.getConversation(conversation.id)).value?.title).toBe(TITLE)
    expect((await messaging.listConversations({ type: 'doctor', id: 79 })).items.map((item) => item.title)).toEqual([TITLE])
    expect((await messaging.getUser({ type: 'doctor', id: 79 })).value).toMatchObject(DOCTOR_READ)
    expect((await messaging.getUser({ type: 'patient', id: 5 })).value).toMatchObject({ lastName: PATIENT.lastName, firstName: PATIENT.firstName, email: PATIENT.email })
    const history = await messaging.notificationHistory({ type: 'patient', id: 5 }, { priority: 'high' })
    expect(history).toEqual({ items: [notification], degraded: false })
    expect(notification).toMatchObject(NOTE)
    // The search index works on HMACs: an exact word, a prefix, the full name.
    expect((await messaging.searchUsers({ query: 'elodie' })).items.map((hit) => hit.user.id)).toEqual(['79'])
    expect((await messaging.searchUsers({ query: 'zanzi', type: 'doctor' })).items.map((hit) => hit.user.id)).toEqual(['79'])
    expect((await messaging.searchUsers({ query: 'Quentinou Brazzavilloni' })).items[0]).toMatchObject({ user: { id: '5' }, score: 16 })
    expect(await messaging.searchUsers({ query: 'martin' })).toEqual({ items: [], degraded: false })
    // Marking read keeps the seal and the content.
    expect(await messaging.markMessageRead(sent[0]!.id)).toBe(true)
    expect((await messaging.getMessage(sent[0]!.id)).value).toEqual({ ...sent[0], isRead: true })
    expect(containsPhi((await dump(namespace)).text)).toEqual([])
    expect(cache.stats().decryptFailures).toBe(0)
  })

  it('renames a profile: the old words leave the HMAC index, the new ones find it', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, onlyA, { searchSecret: SEARCH_SECRET })
    await messaging.storeUser(DOCTOR)
    await messaging.storeUser({ ...DOCTOR, lastName: 'Ndiayexa' })
    expect((await messaging.searchUsers({ query: 'zanzibaro' })).items).toEqual([])
    expect((await messaging.searchUsers({ query: 'ndiay' })).items.map((hit) => hit.user.lastName)).toEqual(['Ndiayexa'])
    expect((await dump(namespace)).text.toLowerCase()).not.toContain('ndiay')
  })

  it('publishes sealed events: a raw subscriber sees no text, a subscriber of the same keys gets the notification, one of other keys gets nothing', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, onlyA, { searchSecret: SEARCH_SECRET })
    const { messaging: stranger, cache: strangerCache } = instance(namespace, onlyB)
    const payloads: string[] = []
    const channel = `${namespace}:notify:patient:5`
    const stopRaw = await driver().subscribe!(channel, (payload) => payloads.push(payload))
    const received: Notification[] = []
    const changes: PresenceChange[] = []
    const strangers: Notification[] = []
    const stop = await messaging.subscribe({ type: 'patient', id: 5 }, (notification) => received.push(notification))
    const stopPresence = await messaging.subscribePresence((change) => changes.push(change))
    const stopStranger = await stranger.subscribe({ type: 'patient', id: 5 }, (notification) => strangers.push(notification))
    const first = await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'result.ready', ...NOTE })
    const second = await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'result.ready', title: 'deuxième' })
    await messaging.heartbeat({ type: 'doctor', id: 79 })
    await eventually(() => received.length === 2 && payloads.length === 2 && changes.length === 1 && strangerCache.stats().decryptFailures === 2, 2_000)
    expect(received).toEqual([first, second])
    expect(changes).toEqual([{ user: { type: 'doctor', id: '79' }, status: 'online' }])
    expect(strangers).toEqual([])
    expect(containsPhi(payloads.join('\n'))).toEqual([])
    for (const payload of payloads) expect(payload).toMatch(/^@s1 a /)
    await Promise.all([stop(), stopPresence(), stopStranger(), stopRaw()])
  })

  it('a sealed value copied under another key or field does not read: the item is missing, counted once', async () => {
    const namespace = randomNamespace()
    const { messaging, cache, logger } = instance(namespace, onlyA, { searchSecret: SEARCH_SECRET })
    const { conversation, sent, notification } = await populate(messaging)
    const d = driver()
    // A message record copied under another message's key, and indexed there.
    const copied = `${namespace}:message:{copied-1}`
    await d.set(copied, (await d.get(`${namespace}:message:{${sent[0]!.id}}`)) as string)
    await d.zadd!(`${namespace}:conversation:{${conversation.id}}:messages`, [{ member: 'copied-1', score: Date.now() + 1_000 }])
    expect((await messaging.getMessage('copied-1')).value).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(1)
    const page = await messaging.listMessages(conversation.id)
    expect(page.degraded).toBe(false)
    expect(page.items.map((message) => message.id)).toEqual(sent.map((message) => message.id).reverse())
    expect(cache.stats().decryptFailures).toBe(2)

    // A profile field moved to another field: the whole profile reads missing, counted once.
    const userKey = `${namespace}:user:{patient:5}`
    const hash = await d.hgetall!(userKey)
    await d.hset!(userKey, { firstName: hash.lastName as string })
    expect((await messaging.getUser({ type: 'patient', id: 5 })).value).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(3)
    // Another user's sealed profile copied whole: every field fails, counted once.
    await d.hset!(`${namespace}:user:{doctor:80}`, { ...(await d.hgetall!(`${namespace}:user:{doctor:79}`)), id: '80' })
    expect((await messaging.getUser({ type: 'doctor', id: 80 })).value).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(4)

    // A notification record under another notification's key.
    await d.set(`${namespace}:notification:{copied-2}`, (await d.get(`${namespace}:notification:{${notification.id}}`)) as string)
    await d.zadd!(`${namespace}:user:{patient:5}:notifications`, [{ member: 'copied-2', score: Date.now() + 1_000 }])
    expect((await messaging.notificationHistory({ type: 'patient', id: 5 })).items).toEqual([notification])
    expect(cache.stats().decryptFailures).toBe(5)

    // A conversation's record under another conversation id.
    await d.set(`${namespace}:conversation:{c-copied}`, (await d.get(`${namespace}:conversation:{${conversation.id}}`)) as string)
    expect((await messaging.getConversation('c-copied')).value).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(6)

    // A plain value beside sealed ones: not written by this package, reported as corrupted.
    await d.hset!(`${namespace}:user:{doctor:79}`, { lastName: 'plain' })
    expect((await messaging.getUser({ type: 'doctor', id: 79 })).value).toBeUndefined()
    expect(cache.stats().decryptFailures).toBe(6)
    expect(logger.lines.some((line) => line.fields.code === 'DECODE_FAILED')).toBe(true)
    // No log line names a key, a field or a value (the template names the namespace, never a key).
    const logged = JSON.stringify(logger.lines.map(({ message, fields }) => ({ message, fields: { ...fields, template: undefined } })))
    expect(containsPhi(logged)).toEqual([])
    expect(logged).not.toContain(namespace)
    expect(logged).not.toContain('copied')
  })

  it('read by a cache with another key or no encryption: missing, never the sealed text', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, onlyA, { searchSecret: SEARCH_SECRET })
    const { conversation, sent } = await populate(messaging)
    for (const encryption of [onlyB, undefined]) {
      const { messaging: reader, cache } = instance(namespace, encryption, { searchSecret: SEARCH_SECRET })
      expect((await reader.getMessage(sent[0]!.id)).value).toBeUndefined()
      expect((await reader.listMessages(conversation.id)).items).toEqual([])
      expect((await reader.getUser({ type: 'doctor', id: 79 })).value).toBeUndefined()
      expect((await reader.getConversation(conversation.id)).value).toBeUndefined()
      expect((await reader.notificationHistory({ type: 'patient', id: 5 })).items).toEqual([])
      expect(cache.stats().decryptFailures).toBe(6)
    }
  })

  it('with encryption and no search secret: no index is written, searchUsers rejects SEARCH_DISABLED, the rest works', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, onlyA)
    const { conversation } = await populate(messaging)
    const { keys, text } = await dump(namespace)
    expect(keys.filter((key) => key.includes(':search:'))).toEqual([])
    expect(containsPhi(text)).toEqual([])
    const refusal = await messaging.searchUsers({ query: 'elodie' }).catch((error: unknown) => error)
    expect(isMessagingError(refusal) && refusal.code).toBe('SEARCH_DISABLED')
    expect((refusal as Error).message).not.toContain('elodie')
    expect((await messaging.listMessages(conversation.id, { order: 'oldest' })).items.map((message) => message.content)).toEqual(BODIES)
    expect((await messaging.getUser({ type: 'doctor', id: 79 })).value).toMatchObject(DOCTOR_READ)
  })

  it('without encryption the layout is unchanged: plain JSON and HASH fields, words in the index keys', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, undefined)
    const { sent, notification } = await populate(messaging)
    const d = driver()
    expect(JSON.parse((await d.get(`${namespace}:message:{${sent[0]!.id}}`)) as string)).toEqual(sent[0])
    expect(JSON.parse((await d.get(`${namespace}:notification:{${notification.id}}`)) as string)).toEqual(notification)
    expect(await d.hgetall!(`${namespace}:user:{doctor:79}`)).toMatchObject({ lastName: DOCTOR.lastName, firstName: DOCTOR.firstName, email: DOCTOR.email })
    expect(await d.smembers!(`${namespace}:search:doctor:term:zanzibaro`)).toEqual(['79'])
    expect((await messaging.searchUsers({ query: 'zanzibaro' })).items.map((hit) => hit.user.id)).toEqual(['79'])
  })

  it('a search secret without encryption keeps words out of the index keys too', async () => {
    const namespace = randomNamespace()
    const { messaging } = instance(namespace, undefined, { searchSecret: SEARCH_SECRET })
    await messaging.storeUser(DOCTOR)
    const { keys } = await dump(namespace)
    expect(keys.filter((key) => key.includes(':search:')).every((key) => /:search:doctor:(term|prefix):[0-9a-f]{32}$/.test(key))).toBe(true)
    expect(keys.filter((key) => key.includes(':search:')).length).toBeGreaterThan(10)
    expect((await messaging.searchUsers({ query: 'Élodie Kouadio' })).items.map((hit) => hit.user.id)).toEqual(['79'])
    // Another secret finds nothing: the index is the secret's.
    const other = instance(namespace, undefined, { searchSecret: randomBytes(32).toString('base64') })
    expect((await other.messaging.searchUsers({ query: 'elodie' })).items).toEqual([])
  })
})

const DOCTOR_READ = { type: 'doctor', id: '79', lastName: DOCTOR.lastName, firstName: DOCTOR.firstName, email: DOCTOR.email, specialty: DOCTOR.specialty }

describe('options', () => {
  it('refuses a search secret shorter than 32 characters, naming no value', () => {
    const cache = createCache({ driver: memoryDriver(), env: false, logger: capturingLogger() })
    expect(() => createMessaging({ cache, searchSecret: 'short-secret' })).toThrow(/searchSecret: expected a secret of at least 32 characters/)
    expect(() => createMessaging({ cache, searchSecret: 'short-secret' })).not.toThrow(/short-secret/)
  })
})
