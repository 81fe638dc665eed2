import { describe, expect, it } from 'vitest'
import type { Message } from '../src/index.js'
import { memoryMessaging, openConversation } from './support/messaging.js'

describe('messages on the memory driver', () => {
  it('pages newest first and oldest first with an opaque cursor, every message once', async () => {
    const { messaging } = memoryMessaging()
    const conversation = await openConversation(messaging)
    const sent: Message[] = []
    for (let index = 0; index < 7; index += 1) {
      const { message } = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: index % 2 === 0 ? 'patient' : 'doctor', id: index % 2 === 0 ? 5 : 79 }, content: `m${index}` })
      sent.push(message)
    }
    const ids = sent.map((message) => message.id)
    for (const order of ['newest', 'oldest'] as const) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await messaging.listMessages(conversation.id, { limit: 3, order, ...(cursor === undefined ? {} : { cursor }) })
        expect(page.degraded).toBe(false)
        seen.push(...page.items.map((message) => message.id))
        cursor = page.nextCursor
      } while (cursor !== undefined)
      expect(seen).toEqual(order === 'oldest' ? ids : [...ids].reverse())
    }
  })

  it('breaks ties of one millisecond by id, across pages', async () => {
    const { messaging, driver, namespace } = memoryMessaging()
    const conversation = await openConversation(messaging)
    const index = `${namespace}:conversation:{${conversation.id}}:messages`
    const ids = ['A1', 'A2', 'A3', 'A4', 'A5']
    for (const id of ids) {
      const message = { id, conversationId: conversation.id, sender: { type: 'patient', id: '5' }, content: id, timestamp: new Date(1_000).toISOString(), isRead: false }
      await driver.set(`${namespace}:message:{${id}}`, JSON.stringify(message))
      await driver.zadd(index, [{ member: id, score: 1_000 }])
    }
    const first = await messaging.listMessages(conversation.id, { limit: 2, order: 'oldest' })
    const second = await messaging.listMessages(conversation.id, { limit: 2, order: 'oldest', cursor: first.nextCursor })
    const third = await messaging.listMessages(conversation.id, { limit: 2, order: 'oldest', cursor: second.nextCursor })
    expect([...first.items, ...second.items, ...third.items].map((message) => message.id)).toEqual(ids)
    expect(third.nextCursor).toBeUndefined()
  })

  it('a second send of the same id stores nothing new and returns the stored message', async () => {
    const { messaging } = memoryMessaging()
    const conversation = await openConversation(messaging)
    const first = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur', id: 'client-1' })
    const again = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'changed', id: 'client-1' })
    expect(first.status).toBe('stored')
    expect(again).toEqual({ status: 'duplicate', message: first.message })
    expect((await messaging.conversationStats(conversation.id)).messages).toBe(1)
    expect(messaging.stats()).toMatchObject({ messagesStored: 1, duplicates: 1 })
  })

  it('marks a message read', async () => {
    const { messaging } = memoryMessaging()
    const conversation = await openConversation(messaging)
    const { message } = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'doctor', id: 79 }, content: 'Prenez 2 comprimés' })
    expect(await messaging.markMessageRead(message.id)).toBe(true)
    expect((await messaging.getMessage(message.id)).value?.isRead).toBe(true)
    expect(await messaging.markMessageRead('absent')).toBe(false)
  })

  it('refuses a sender outside the conversation, and an unknown conversation', async () => {
    const { messaging } = memoryMessaging()
    const conversation = await openConversation(messaging)
    await expect(messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 6 }, content: 'x' })).rejects.toMatchObject({ code: 'NOT_A_PARTICIPANT' })
    await expect(messaging.sendMessage({ conversationId: 'c404', sender: { type: 'patient', id: 5 }, content: 'x' })).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' })
    expect((await messaging.conversationStats(conversation.id)).messages).toBe(0)
  })

  it('indexes conversations per user by last activity, and archives them', async () => {
    const { messaging } = memoryMessaging()
    const older = await openConversation(messaging, '1')
    await new Promise((resolve) => setTimeout(resolve, 5))
    const newer = await openConversation(messaging, '2')
    expect((await messaging.listConversations({ type: 'doctor', id: 79 })).items.map((c) => c.id)).toEqual([newer.id, older.id])
    await new Promise((resolve) => setTimeout(resolve, 5))
    await messaging.sendMessage({ conversationId: older.id, sender: { type: 'patient', id: 5 }, content: 'relance' })
    expect((await messaging.listConversations({ type: 'patient', id: 5 })).items.map((c) => c.id)).toEqual([older.id, newer.id])
    expect(await messaging.setConversationStatus(older.id, 'archived')).toBe(true)
    expect((await messaging.getConversation(older.id)).value?.status).toBe('archived')
  })
})
