import { ioredisDriver } from '@cachette/ioredis'
import { startRedisCluster, type RedisClusterHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMessaging } from '../src/index.js'
import type { Driver } from '@cachette/core'
import { cacheOn, randomNamespace } from './support/messaging.js'

let cluster: RedisClusterHandle
let driver: Driver

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 })
  driver = ioredisDriver({ cluster: cluster.nodes })
})
afterAll(async () => {
  await driver?.close()
  await cluster?.stop()
})

describe('on a 3-master Redis Cluster', () => {
  it('runs every atomic batch in one slot: conversations, sends, notifications, profiles, reads', async () => {
    expect(driver.capabilities.crossSlotBatch).toBe(false)
    const messaging = createMessaging({ cache: cacheOn(driver, 5_000), namespace: randomNamespace() })
    const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
    const sent = []
    for (let index = 0; index < 5; index += 1) {
      const result = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: index % 2 === 0 ? 'patient' : 'doctor', id: index % 2 === 0 ? 5 : 79 }, content: `m${index}` })
      expect(result.status).toBe('stored')
      sent.push(result.message.id)
    }
    const page = await messaging.listMessages(conversation.id, { order: 'oldest' })
    expect(page).toMatchObject({ degraded: false })
    expect(page.items.map((message) => message.id)).toEqual(sent)
    await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'prescription.ready', priority: 'high' })
    expect((await messaging.notificationHistory({ type: 'patient', id: 5 }, { priority: 'high' })).items).toHaveLength(1)
    await messaging.storeUser({ type: 'doctor', id: 79, lastName: 'Sakura', firstName: 'Élodie', specialty: 'Cardiologie' })
    await messaging.storeUser({ type: 'doctor', id: 79, lastName: 'Sakura', firstName: 'Élodie' })
    expect((await messaging.searchUsers({ query: 'elodie' })).items.map((hit) => hit.user.id)).toEqual(['79'])
    expect((await messaging.listConversations({ type: 'doctor', id: 79 })).items.map((c) => c.id)).toEqual([conversation.id])
    expect(await messaging.markMessageRead(sent[0]!)).toBe(true)
  })
})
