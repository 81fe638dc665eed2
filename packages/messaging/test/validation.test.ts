import { InvalidOptionsError, memoryDriver } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { createMessaging } from '../src/index.js'
import { cacheOn, memoryMessaging, openConversation } from './support/messaging.js'

async function keysOf(driver: ReturnType<typeof memoryDriver>): Promise<string[]> {
  const keys: string[] = []
  for await (const key of driver.scan('*')) keys.push(key)
  return keys.sort()
}

describe('validation', () => {
  it('refuses bad options with one InvalidOptionsError naming each option', () => {
    const cache = cacheOn(memoryDriver())
    expect(() => createMessaging({ cache, namespace: 'a b', messageTtl: 'forever' as never, outbox: {} as never })).toThrow(InvalidOptionsError)
    try {
      createMessaging({ cache, namespace: 'a b', outbox: {} as never })
    } catch (error) {
      expect((error as Error).message).toMatch(/namespace: .*outbox: /)
    }
    expect(() => createMessaging({ cache: {} as never })).toThrow(InvalidOptionsError)
  })

  it('refuses bad input with a typed error, no value in the message, and stores nothing', async () => {
    const { messaging, driver } = memoryMessaging()
    const conversation = await openConversation(messaging)
    const before = await keysOf(driver)
    const secret = 'Zx9-secret-content'
    const attempts = [
      messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: '' }),
      messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'nurse' as never, id: 5 }, content: secret }),
      messaging.sendMessage({ conversationId: `{${secret}}`, sender: { type: 'patient', id: 5 }, content: secret }),
      messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: secret, id: `${secret}:*` }),
      messaging.createConversation({ type: 'ordonnance', contextId: `x:${secret}*`, doctorId: 79, patientId: 5 }),
      messaging.storeUser({ type: 'doctor', id: 1, lastName: secret, firstName: 'A', email: `not-an-email-${secret}` }),
      messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'x', priority: 'urgent' as never }),
      messaging.listMessages(conversation.id, { limit: 0 }),
      messaging.listMessages(conversation.id, { cursor: 'not-a-cursor' }),
      messaging.searchUsers({ query: '' }),
      messaging.subscribe({ type: 'patient', id: 5 }, 'listener' as never),
    ]
    for (const attempt of attempts) {
      const error = await attempt.then(() => undefined, (reason: unknown) => reason)
      expect(error).toBeInstanceOf(InvalidOptionsError)
      expect((error as InvalidOptionsError).code).toBe('INVALID_OPTIONS')
      expect((error as Error).message).not.toContain(secret)
    }
    expect(await keysOf(driver)).toEqual(before)
  })
})
