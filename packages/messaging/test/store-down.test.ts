import { memoryDriver } from '@cachette/core'
import { chaosDriver } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { createMessaging, isMessagingError, type MessagingOutbox, type OutboxEntry } from '../src/index.js'
import { cacheOn, openConversation } from './support/messaging.js'

/** An outbox in memory, as the port describes it. */
function arrayOutbox(): MessagingOutbox & { readonly entries: OutboxEntry[] } {
  const entries: OutboxEntry[] = []
  return {
    entries,
    get depth() {
      return entries.length
    },
    append: async (entry) => void entries.push(entry),
    replay: async (apply) => {
      let applied = 0
      while (entries.length > 0) {
        await apply(entries[0]!)
        entries.shift()
        applied += 1
      }
      return applied
    },
  }
}

describe('with the store down', () => {
  it('reads say they are degraded instead of looking empty', async () => {
    const driver = chaosDriver(memoryDriver())
    const messaging = createMessaging({ cache: cacheOn(driver) })
    const conversation = await openConversation(messaging)
    await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'hello' })
    driver.chaos.set({ failureRate: 1 })
    expect(await messaging.listMessages(conversation.id)).toEqual({ items: [], degraded: true })
    expect(await messaging.listConversations({ type: 'doctor', id: 79 })).toEqual({ items: [], degraded: true })
    expect(await messaging.getConversation(conversation.id)).toEqual({ value: undefined, degraded: true })
    expect(await messaging.searchUsers({ query: 'x' })).toEqual({ items: [], degraded: true })
    expect(await messaging.isOnline({ type: 'doctor', id: 79 })).toEqual({ value: undefined, degraded: true })
    expect(await messaging.notificationHistory({ type: 'doctor', id: 79 })).toEqual({ items: [], degraded: true })
    expect(messaging.stats().degradedReads).toBeGreaterThanOrEqual(6)
  })

  it('queues sends in the outbox, and a flush replays them once through the idempotent send', async () => {
    const driver = chaosDriver(memoryDriver())
    const outbox = arrayOutbox()
    const messaging = createMessaging({ cache: cacheOn(driver), outbox })
    const conversation = await openConversation(messaging)
    driver.chaos.set({ failureRate: 1 })
    const queued = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'pendant la panne' })
    expect(queued.status).toBe('queued')
    expect(messaging.stats()).toMatchObject({ queued: 1, outboxDepth: 1 })
    driver.chaos.heal()
    // The same entry twice (a replay interrupted after the store took it): stored once.
    outbox.entries.push(outbox.entries[0]!)
    expect(await messaging.flushOutbox()).toBe(2)
    const page = await messaging.listMessages(conversation.id)
    expect(page.items.map((message) => message.id)).toEqual([queued.message.id])
    expect(messaging.stats()).toMatchObject({ messagesStored: 1, duplicates: 1, outboxDepth: 0 })
  })

  it('without an outbox a send rejects with STORE_UNAVAILABLE', async () => {
    const driver = chaosDriver(memoryDriver())
    const messaging = createMessaging({ cache: cacheOn(driver) })
    const conversation = await openConversation(messaging)
    driver.chaos.set({ failureRate: 1 })
    const error = await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'x' }).catch((reason: unknown) => reason)
    expect(isMessagingError(error) && error.code).toBe('STORE_UNAVAILABLE')
    expect(await messaging.flushOutbox()).toBe(0)
  })
})
