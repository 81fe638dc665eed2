import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, eventually, openConversation, randomNamespace, startApi, type TestApi } from './support/api.js'
import { openEventStream } from './support/sse.js'

describe('two instances of the API on one redis-server', () => {
  let redis: RedisServerHandle
  let a: TestApi
  let b: TestApi
  let bAddress: string
  let namespace: string
  beforeAll(async () => {
    redis = await startRedisServer()
    namespace = randomNamespace()
    a = await startApi({ driver: ioredisDriver({ url: redis.url }), namespace })
    b = await startApi({ driver: ioredisDriver({ url: redis.url }), namespace })
    bAddress = await b.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    for (const api of [a, b]) {
      await api.close()
      await api.service.driver.close()
    }
    await redis.stop()
  })

  it("a message sent through A reaches an event stream of B within a second, and so does a presence change; the stream's end unsubscribes", async () => {
    const id = await openConversation(a.app, 'sse')
    const client = new Redis(redis.url)
    const subscribers = async () => Number(((await client.pubsub('NUMSUB', `${namespace}:notify:doctor:79`)) as [string, number])[1])
    const stream = await openEventStream(`${bAddress}/users/doctor/79/events`)
    try {
      await stream.next((event) => event.event === 'ready', 2_000)
      expect(await subscribers()).toBe(1)
      const started = performance.now()
      const sent = await call(a.app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'patient', id: 5 }, content: "J'ai de la fièvre depuis hier." }, 201)
      const notification = await stream.next((event) => event.event === 'notification', 1_000)
      expect(performance.now() - started).toBeLessThan(1_000)
      expect(notification.data).toMatchObject({ kind: 'message', recipient: { type: 'doctor', id: '79' }, data: { messageId: sent.body.message.id } })
      await call(a.app, 'PUT', '/users/patient/5/presence', { status: 'online' }, 200)
      expect((await stream.next((event) => event.event === 'presence', 1_000)).data).toEqual({ user: { type: 'patient', id: '5' }, status: 'online' })
      stream.close()
      // The client gone, B's subscription to the doctor's channel is gone too.
      await eventually(async () => (await subscribers()) === 0, 2_000)
    } finally {
      stream.close()
      client.disconnect()
    }
  })

  it('50 concurrent creations of one conversation spread over both instances give one id', async () => {
    const body = { type: 'rdv', contextId: 'r-50', doctorId: 79, patientId: 5 }
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).app.inject({ method: 'POST', url: '/conversations', payload: body })))
    expect(new Set(results.map((result) => result.json().conversation.id)).size).toBe(1)
    expect(new Set(results.map((result) => result.json().conversation.createdAt)).size).toBe(1)
    expect(results.filter((result) => result.statusCode === 201)).toHaveLength(1)
    expect(results.filter((result) => result.statusCode === 200)).toHaveLength(49)
  })
})
