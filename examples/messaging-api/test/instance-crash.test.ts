import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './support/api.js'
import { request, startChildInstance, type ChildInstance } from './support/child-instance.js'

const SEQUENTIAL = 200
const IN_FLIGHT = 50

describe('the instance SIGKILLed while the store is down, then restarted on the same outbox file', () => {
  let redis: RedisServerHandle
  let dir: string
  const instances: ChildInstance[] = []
  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] })
    dir = mkdtempSync(join(tmpdir(), 'messaging-api-crash-'))
  })
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.kill()))
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('loses nothing it answered 202 for: the next instance flushes the journal, each message once', async () => {
    const env = { REDIS_URL: redis.url, OUTBOX_PATH: join(dir, 'outbox.journal'), OUTBOX_FLUSH_INTERVAL_MS: '200' }
    const first = await startChildInstance(env)
    instances.push(first)
    const created = await request(first.address, 'POST', '/conversations', { type: 'ordonnance', contextId: 'crash', doctorId: 79, patientId: 5 })
    expect(created.status).toBe(201)
    const conversationId = created.body.conversation.id as string
    const send = (content: string) => request(first.address, 'POST', `/conversations/${conversationId}/messages`, { sender: { type: 'patient', id: 5 }, content })

    await redis.kill('SIGKILL')
    const accepted: string[] = []
    for (let index = 0; index < SEQUENTIAL; index += 1) {
      const { status, body } = await send(`m${index}`)
      expect(status).toBe(202)
      accepted.push(body.message.id)
    }
    // More sends in flight when the process dies: those answered 202 must survive; the others may or may not.
    const inFlight: string[] = []
    const sends = Array.from({ length: IN_FLIGHT }, (_, index) =>
      send(`late ${index}`).then(
        ({ status, body }) => void (status === 202 && inFlight.push(body.message.id)),
        () => undefined,
      ),
    )
    await eventually(() => inFlight.length >= 10, 5_000)
    await first.kill()
    await Promise.all(sends)

    await redis.restart()
    const second = await startChildInstance(env)
    instances.push(second)
    await eventually(async () => (await request(second.address, 'GET', '/health')).body.outbox.depth === 0, 20_000)

    const stored: string[] = []
    let cursor: string | null = null
    do {
      const page: { status: number; body: any } = await request(second.address, 'GET', `/conversations/${conversationId}/messages?order=oldest&limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
      expect(page.status).toBe(200)
      stored.push(...page.body.items.map((message: { id: string }) => message.id))
      cursor = page.body.nextCursor
    } while (cursor !== null)
    expect(new Set(stored).size).toBe(stored.length)
    expect(stored.slice(0, SEQUENTIAL)).toEqual(accepted)
    for (const id of inFlight) expect(stored).toContain(id)
  }, 60_000)
})
