import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ioredisDriver } from '@cachette/ioredis'
import type { OutboxEntry } from '@cachette/messaging'
import { fileOutbox } from '@cachette/messaging/file-outbox'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, eventually, openConversation, randomNamespace, readAllMessages, startApi, type TestApi } from './support/api.js'

const CONVERSATIONS = 4
const MESSAGES_WHILE_DOWN = 2_000

describe('the redis-server SIGKILLed while messages are sent, then restarted', () => {
  let redis: RedisServerHandle
  let api: TestApi
  let dir: string
  beforeAll(async () => {
    redis = await startRedisServer()
    dir = mkdtempSync(join(tmpdir(), 'messaging-api-outbox-'))
    const outbox = await fileOutbox<OutboxEntry>({ path: join(dir, 'outbox.journal') })
    api = await startApi({ driver: ioredisDriver({ url: redis.url }), outbox, namespace: randomNamespace() })
  })
  afterAll(async () => {
    await api.close()
    await api.service.driver.close()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it(`${MESSAGES_WHILE_DOWN} messages answered 202 while it is down are, after the flush, each readable once and in order`, async () => {
    const { app } = api
    const conversations = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, index) => openConversation(app, `outage-${index}`)))
    const expected = new Map<string, string[]>(conversations.map((id) => [id, []]))
    for (const id of conversations) {
      const { body } = await call(app, 'POST', `/conversations/${id}/messages`, { sender: { type: 'doctor', id: 79 }, content: 'avant la panne' }, 201)
      expected.get(id)?.push(body.message.id)
    }

    // A production Redis keeps its data across a crash (AOF or snapshots): a SAVE just before the
    // kill stands in for that, so the conversations are there after the restart. (An AOF with
    // `appendfsync always` does the same, but its fsync per write makes the 2,000 replays 2-3x slower.)
    const admin = new Redis(redis.url)
    await admin.save()
    admin.disconnect()
    await redis.kill('SIGKILL')
    // Each conversation's sends one after another (a chat window), the conversations in parallel.
    await Promise.all(
      conversations.map(async (id, conversationIndex) => {
        for (let index = 0; index < MESSAGES_WHILE_DOWN / CONVERSATIONS; index += 1) {
          const sender = index % 2 === 0 ? { type: 'patient', id: 5 } : { type: 'doctor', id: 79 }
          const { body } = await call(app, 'POST', `/conversations/${id}/messages`, { sender, content: `c${conversationIndex} m${index}` }, 202)
          expect(body.status).toBe('queued')
          expected.get(id)?.push(body.message.id)
        }
      }),
    )
    const down = await call(app, 'GET', '/health', undefined, 200)
    expect(down.body).toMatchObject({ ok: true, degraded: true, outbox: { depth: MESSAGES_WHILE_DOWN } })
    // A read while the store is down says so: 503, never an empty conversation.
    expect((await call(app, 'GET', `/conversations/${conversations[0]}/messages`, undefined, 503)).body).toMatchObject({ degraded: true })

    await redis.restart()
    // The flusher's timer sees the store answer again and replays the outbox.
    await eventually(async () => (await call(app, 'GET', '/health')).body.outbox.depth === 0, 25_000)
    expect((await call(app, 'GET', '/health', undefined, 200)).body).toMatchObject({ degraded: false })

    for (const id of conversations) {
      const messages = await readAllMessages(app, id)
      expect(messages.map((message) => message.id)).toEqual(expected.get(id))
    }
    // A second flush has nothing to do.
    expect(await api.flusher.flush()).toBe(0)
  }, 60_000)
})
