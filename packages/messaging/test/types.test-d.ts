import { createCache, memoryDriver } from '@cachette/core'
import { describe, expectTypeOf, it } from 'vitest'
import { createMessaging, type Message, type Page, type SendResult, type UserRef } from '../src/index.js'

const messaging = createMessaging({ cache: createCache({ driver: memoryDriver(), env: false }) })

describe('types', () => {
  it('a send resolves what it did, a page says whether it is degraded', () => {
    expectTypeOf(messaging.sendMessage({ conversationId: 'c1', sender: { type: 'patient', id: 5 }, content: 'x' })).resolves.toEqualTypeOf<SendResult>()
    expectTypeOf<SendResult['status']>().toEqualTypeOf<'stored' | 'duplicate' | 'queued'>()
    expectTypeOf(messaging.listMessages('c1')).resolves.toEqualTypeOf<Page<Message>>()
    expectTypeOf<Page<Message>['degraded']>().toEqualTypeOf<boolean>()
  })

  it('users are doctors or patients, with a string or number id', () => {
    expectTypeOf<UserRef['type']>().toEqualTypeOf<'doctor' | 'patient'>()
    // @ts-expect-error the seed's user types only
    messaging.heartbeat({ type: 'nurse', id: 1 })
    // @ts-expect-error priorities are high, medium or low
    messaging.notify({ recipient: { type: 'patient', id: 5 }, kind: 'x', priority: 'urgent' })
  })
})
