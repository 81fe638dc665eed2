import { describe, expect, it } from 'vitest'
import { memoryMessaging } from './support/messaging.js'

describe('profiles and search on the memory driver', () => {
  it('finds "Élodie" for `elodie`, accents and case ignored', async () => {
    const { messaging } = memoryMessaging()
    await messaging.storeUser({ type: 'doctor', id: 79, lastName: 'SAKURA', firstName: 'Élodie', specialty: 'Cardiologie', email: 'e.sakura@example.org' })
    const { items, degraded } = await messaging.searchUsers({ query: 'elodie' })
    expect(degraded).toBe(false)
    expect(items.map((hit) => hit.user.firstName)).toEqual(['Élodie'])
    expect((await messaging.searchUsers({ query: 'CARDIO', type: 'doctor' })).items).toHaveLength(1)
    expect((await messaging.searchUsers({ query: 'sakura', type: 'patient' })).items).toHaveLength(0)
  })

  it('ranks an exact name above a partial one', async () => {
    const { messaging } = memoryMessaging()
    await messaging.storeUser({ type: 'patient', id: 1, lastName: 'Martinez', firstName: 'Aya' })
    await messaging.storeUser({ type: 'patient', id: 2, lastName: 'Martin', firstName: 'Paul' })
    const { items } = await messaging.searchUsers({ query: 'martin', type: 'patient' })
    expect(items.map((hit) => hit.user.id)).toEqual(['2', '1'])
    expect(items[0]!.score).toBeGreaterThan(items[1]!.score)
    const full = await messaging.searchUsers({ query: 'Paul MARTIN' })
    expect(full.items.map((hit) => hit.user.id)).toEqual(['2'])
  })

  it('keeps the index in step with profile updates', async () => {
    const { messaging } = memoryMessaging()
    await messaging.storeUser({ type: 'doctor', id: 3, lastName: 'Kouadio', firstName: 'Jean', specialty: 'Pédiatrie' })
    await messaging.storeUser({ type: 'doctor', id: 3, lastName: 'Kouadio', firstName: 'Jean', specialty: 'Dermatologie' })
    expect((await messaging.searchUsers({ query: 'pediatrie' })).items).toHaveLength(0)
    expect((await messaging.searchUsers({ query: 'dermato' })).items.map((hit) => hit.user.specialty)).toEqual(['Dermatologie'])
    expect((await messaging.getUser({ type: 'doctor', id: 3 })).value?.specialty).toBe('Dermatologie')
  })

  it('publishes presence changes and reads presence', async () => {
    const { messaging } = memoryMessaging()
    const changes: string[] = []
    const stop = await messaging.subscribePresence((change) => changes.push(`${change.user.id}:${change.status}`))
    await messaging.heartbeat({ type: 'doctor', id: 79 })
    await messaging.heartbeat({ type: 'doctor', id: 79 })
    expect((await messaging.isOnline({ type: 'doctor', id: 79 })).value).toBe(true)
    await messaging.goOffline({ type: 'doctor', id: 79 })
    expect((await messaging.isOnline({ type: 'doctor', id: 79 })).value).toBe(false)
    await stop()
    await messaging.heartbeat({ type: 'doctor', id: 79 })
    expect(changes).toEqual(['79:online', '79:offline'])
  })
})

describe('notifications on the memory driver', () => {
  it('delivers to subscribers, keeps a history readable by priority, marks read, and unsubscribes cleanly', async () => {
    const { messaging } = memoryMessaging()
    const received: string[] = []
    const unsubscribe = await messaging.subscribe({ type: 'patient', id: 5 }, (notification) => received.push(notification.kind))
    const high = await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'prescription.ready', priority: 'high' })
    await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'appointment.reminder', priority: 'low' })
    expect(received).toEqual(['prescription.ready', 'appointment.reminder'])
    expect((await messaging.notificationHistory({ type: 'patient', id: 5 })).items.map((n) => n.kind)).toEqual(['appointment.reminder', 'prescription.ready'])
    expect((await messaging.notificationHistory({ type: 'patient', id: 5 }, { priority: 'high' })).items.map((n) => n.id)).toEqual([high.id])
    expect(await messaging.markNotificationRead(high.id)).toBe(true)
    expect((await messaging.notificationHistory({ type: 'patient', id: 5 }, { priority: 'high' })).items[0]?.isRead).toBe(true)
    await unsubscribe()
    await messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'late' })
    expect(received).toHaveLength(2)
  })

  it('notifies the recipient of a new message', async () => {
    const { messaging } = memoryMessaging()
    const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
    const received: (string | undefined)[] = []
    await messaging.subscribe({ type: 'doctor', id: 79 }, (notification) => received.push(notification.data?.conversationId))
    await messaging.sendMessage({ conversationId: conversation.id, sender: { type: 'patient', id: 5 }, content: 'Bonjour docteur' })
    expect(received).toEqual([conversation.id])
  })
})
