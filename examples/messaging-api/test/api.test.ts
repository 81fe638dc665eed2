import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, openConversation, randomNamespace, startApi, type TestApi } from './support/api.js'
import { openEventStream } from './support/sse.js'

const DAY_MS = 86_400_000

describe.each(['memory', 'redis'] as const)('messaging API on %s', (store) => {
  let redis: RedisServerHandle | undefined
  let api: TestApi
  let namespace: string
  beforeAll(async () => {
    redis = store === 'redis' ? await startRedisServer() : undefined
    namespace = randomNamespace()
    api = await startApi({ namespace, ...(redis === undefined ? {} : { driver: ioredisDriver({ url: redis.url }) }) })
  })
  afterAll(async () => {
    await api.close()
    if (redis !== undefined) {
      await api.service.driver.close()
      await redis.stop()
    }
  })

  it('walks a doctor–patient exchange: one conversation, messages both ways, read receipts, the inbox, notifications', async () => {
    const { app } = api
    const created = await call(app, 'POST', '/conversations', { type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5, title: 'Ordonnance #15' }, 201)
    const again = await call(app, 'POST', '/conversations', { type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 }, 200)
    const id = created.body.conversation.id as string
    expect(again.body).toMatchObject({ created: false, conversation: { id, title: 'Ordonnance #15' } })
    expect((await call(app, 'GET', `/conversations/${id}`, undefined, 200)).body.conversation).toMatchObject({ participants: { doctor: '79', patient: '5' }, status: 'active' })

    const question = await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur, puis-je prendre le traitement le soir ?', id: 'client-1' }, 201)
    expect(question.body).toMatchObject({ status: 'stored', message: { id: 'client-1', isRead: false } })
    // A retry of the same client id stores nothing new.
    expect((await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur, puis-je prendre le traitement le soir ?', id: 'client-1' }, 201)).body.status).toBe('duplicate')
    await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'doctor', id: 79 }, content: 'Oui, au dîner.' }, 201)
    await call(app, 'POST', '/messages/client-1/read', undefined, 200)

    const page = await call(app, 'GET', `/conversations/${id}/messages?limit=1`, undefined, 200)
    expect(page.body.items.map((message: { content: string }) => message.content)).toEqual(['Oui, au dîner.'])
    const rest = await call(app, 'GET', `/conversations/${id}/messages?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, undefined, 200)
    expect(rest.body).toMatchObject({ items: [{ id: 'client-1', isRead: true }], nextCursor: null })

    expect((await call(app, 'GET', '/users/doctor/79/conversations', undefined, 200)).body.items.map((conversation: { id: string }) => conversation.id)).toEqual([id])
    expect((await call(app, 'GET', '/users/medecin/79/conversations', undefined, 200)).body.items).toHaveLength(1)
    const doctorInbox = await call(app, 'GET', '/users/doctor/79/notifications?priority=medium', undefined, 200)
    expect(doctorInbox.body.items).toMatchObject([{ kind: 'message', priority: 'medium', recipient: { type: 'doctor', id: '79' } }])
    expect((await call(app, 'GET', '/users/doctor/79/notifications?priority=high', undefined, 200)).body.items).toEqual([])
    expect((await call(app, 'GET', '/users/patient/5/notifications', undefined, 200)).body.items).toHaveLength(1)
  })

  it('refuses what is not allowed: unknown conversation 404, a stranger 403, bad input 400, with no content echoed', async () => {
    const { app } = api
    const id = await openConversation(app, 'rules')
    expect((await call(app, 'POST', '/conversations/cdeadbeef/messages', { sender: { type: 'patient', id: 5 }, content: 'x' }, 404)).body.code).toBe('CONVERSATION_NOT_FOUND')
    const stranger = await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'patient', id: 6 }, content: 'secret médical' }, 403)
    expect(JSON.stringify(stranger.body)).not.toContain('secret')
    await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'nurse', id: 1 }, content: 'x' }, 400)
    await call(app, 'GET', `/conversations/${id}/messages?limit=500`, undefined, 400)
    await call(app, 'GET', '/conversations/cnothere', undefined, 404)
    await call(app, 'POST', '/messages/nothere/read', undefined, 404)
  })

  it('finds "Élodie" for `elodie` and ranks an exact name above a partial one', async () => {
    const { app } = api
    await call(app, 'PUT', '/users/doctor/101', { lastName: 'Martin', firstName: 'Élodie', specialty: 'Cardiologie' }, 200)
    await call(app, 'PUT', '/users/doctor/102', { lastName: 'Martinez', firstName: 'Paul', specialty: 'Dermatologie' }, 200)
    await call(app, 'PUT', '/users/patient/103', { lastName: 'Dupont', firstName: 'Elodie' }, 200)
    const elodie = await call(app, 'GET', '/users/search?q=elodie&type=doctor', undefined, 200)
    expect(elodie.body.items.map((hit: { user: { firstName: string } }) => hit.user.firstName)).toEqual(['Élodie'])
    const both = await call(app, 'GET', '/users/search?q=ELODIE', undefined, 200)
    expect(both.body.items.map((hit: { user: { id: string } }) => hit.user.id).sort()).toEqual(['101', '103'])
    const martin = await call(app, 'GET', '/users/search?q=martin&type=doctor', undefined, 200)
    expect(martin.body.items.map((hit: { user: { lastName: string } }) => hit.user.lastName)).toEqual(['Martin', 'Martinez'])
    expect(martin.body.items[0].score).toBeGreaterThan(martin.body.items[1].score)
  })

  it('sets presence online and offline', async () => {
    const { app } = api
    await call(app, 'PUT', '/users/patient/5', { lastName: 'Molowa', firstName: 'Essonga' }, 200)
    await call(app, 'PUT', '/users/patient/5/presence', { status: 'online' }, 200)
    expect((await call(app, 'GET', '/users/patient/5', undefined, 200)).body).toMatchObject({ online: true })
    await call(app, 'PUT', '/users/patient/5/presence', { status: 'offline' }, 200)
    expect((await call(app, 'GET', '/users/patient/5', undefined, 200)).body).toMatchObject({ online: false })
  })

  it("streams the user's notifications as Server-Sent Events, and no one else's", async () => {
    const { app } = api
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const id = await openConversation(app, 'sse')
    const stream = await openEventStream(`${address}/users/patient/5/events`)
    try {
      await stream.next((event) => event.event === 'ready', 2_000)
      await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'patient', id: 5 }, content: 'pour le médecin' }, 201)
      const sent = await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'doctor', id: 79 }, content: 'pour la patiente' }, 201)
      const notification = await stream.next((event) => event.event === 'notification', 1_000)
      expect(notification.data).toMatchObject({ recipient: { type: 'patient', id: '5' }, data: { messageId: sent.body.message.id } })
      expect(stream.events.filter((event) => event.event === 'notification')).toHaveLength(1)
    } finally {
      stream.close()
    }
  })

  it('reports health with the outbox depth, and the cache metrics in Prometheus text', async () => {
    const { app } = api
    expect((await call(app, 'GET', '/health', undefined, 200)).body).toMatchObject({ ok: true, degraded: false, store: { ok: true }, outbox: { depth: 0 } })
    const metrics = await app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/^cache_\w+\{[^}]*key_prefix="messaging"/m)
  })

  // Only a real redis-server has a PTTL to read.
  if (store === 'redis') it("stores keys with the seed's TTLs: messages 30 days, notifications 7 days (PTTL)", async () => {
    const { app } = api
    const id = await openConversation(app, 'ttl')
    await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'doctor', id: 79 }, content: 'Résultats normaux.', id: 'ttl-1' }, 201)
    const client = new Redis((redis as RedisServerHandle).url)
    try {
      const within = (ttlMs: number, expected: number) => {
        expect(ttlMs).toBeGreaterThan(expected - 60_000)
        expect(ttlMs).toBeLessThanOrEqual(expected)
      }
      within(await client.pttl(`${namespace}:message:{ttl-1}`), 30 * DAY_MS)
      within(await client.pttl(`${namespace}:conversation:{${id}}:messages`), 30 * DAY_MS)
      const [notification] = (await call(app, 'GET', '/users/patient/5/notifications?limit=1', undefined, 200)).body.items
      within(await client.pttl(`${namespace}:notification:{${notification.id}}`), 7 * DAY_MS)
      within(await client.pttl(`${namespace}:user:{patient:5}:notifications`), 7 * DAY_MS)
      within(await client.pttl(`${namespace}:user:{patient:5}:notifications:medium`), 7 * DAY_MS)
    } finally {
      client.disconnect()
    }
  })
})
