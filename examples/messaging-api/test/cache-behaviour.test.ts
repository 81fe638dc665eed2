/**
 * The messaging store as a test double, the way docs/testing.md shows: a new memory driver and fake
 * clock per test, injected where the app takes its driver; presence and message TTLs crossed by
 * moving the clock, never by sleeping; a store failure simulated with the chaos driver.
 */
import { memoryDriver } from '@cachette/core'
import { chaosDriver, createFakeClock, type ChaosDriver, type FakeClock } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { buildApp } from '../src/app.js'
import { createMessagingService, type MessagingService } from '../src/messaging-service.js'

let clock: FakeClock
let driver: ChaosDriver
let service: MessagingService
let app: FastifyInstance
beforeEach(() => {
  clock = createFakeClock()
  driver = chaosDriver(memoryDriver({ clock })) // healthy until a test says otherwise
  service = createMessagingService({ driver, logger: { warn: () => undefined } })
  app = buildApp({ service })
})
afterEach(async () => {
  driver.chaos.heal()
  await app.close()
  await service.close()
  await driver.close() // ours: the service leaves a driver passed in open
})

const json = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
  const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })
  return { status: response.statusCode, body: response.json() }
}
const isOnline = async () => (await json('GET', '/users/doctor/79')).body.online as boolean

test('presence lasts 60 s after the last heartbeat', async () => {
  await json('PUT', '/users/doctor/79', { lastName: 'KONE', firstName: 'Awa' })
  await json('PUT', '/users/doctor/79/presence', { status: 'online' })
  expect(await isOnline()).toBe(true)

  clock.advance(40_000)
  await json('PUT', '/users/doctor/79/presence', { status: 'online' }) // the heartbeat renews it
  clock.advance(40_000) // 80 s after the first, 40 s after the last
  expect(await isOnline()).toBe(true)

  clock.advance(20_001) // 60 s after the last heartbeat
  expect(await isOnline()).toBe(false)
})

test('a conversation keeps its messages for 30 days', async () => {
  const { body } = await json('POST', '/conversations', { type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
  const id = body.conversation.id as string
  const sent = await json('POST', `/conversations/${id}/messages`, { sender: { type: 'doctor', id: 79 }, content: 'Bonjour' })
  expect(sent.status).toBe(201)

  clock.advance(29 * 86_400_000)
  expect((await json('GET', `/conversations/${id}/messages`)).body.items.map((m: { content: string }) => m.content)).toEqual(['Bonjour'])

  clock.advance(86_400_000 + 1) // the seed's 30 days
  expect((await json('GET', `/conversations/${id}/messages`)).body.items).toEqual([])
})

test('store down: a message is accepted into the outbox, not lost', async () => {
  const { body } = await json('POST', '/conversations', { type: 'ordonnance', contextId: '16', doctorId: 79, patientId: 5 })
  driver.chaos.set({ failureRate: 1 })
  const sent = await json('POST', `/conversations/${body.conversation.id}/messages`, { sender: { type: 'patient', id: 5 }, content: 'Merci' })
  expect(sent.status).toBe(202)
  expect(sent.body.status).toBe('queued')
  expect(service.outbox.depth).toBe(1)
  expect(service.cache.stats().errors).toBeGreaterThan(0)
})
