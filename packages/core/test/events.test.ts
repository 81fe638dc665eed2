import diagnosticsChannel from 'node:diagnostics_channel'
import { chaosDriver, createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { defineKey, memoryDriver, type CacheEvent } from '../src/index.js'
import { testCache } from './support/cache.js'

const SECRET_ID = 'NIR-1850775123456'
const SECRET_VALUE = 'Dupont, Marie, diabète de type 2'
const patientKey = defineKey('patient:{id}', { params: { id: 'encode' } })

function recording() {
  const events: CacheEvent[] = []
  const listener = (event: CacheEvent) => void events.push(event)
  return { events, listener }
}

describe('events', () => {
  it('reports hit, miss, set and delete with the key family, never the key, a parameter or a value', async () => {
    const { events, listener } = recording()
    const { cache } = testCache({ prefix: 'identity' })
    for (const name of ['hit', 'miss', 'set', 'delete'] as const) cache.on(name, listener)
    await cache.get(patientKey({ id: SECRET_ID }))
    await cache.getOrSet(patientKey({ id: SECRET_ID }), () => SECRET_VALUE)
    await cache.getOrSet(patientKey({ id: SECRET_ID }), () => SECRET_VALUE)
    await cache.invalidate(patientKey({ id: SECRET_ID }))
    expect(events.map((event) => [event.type, event.operation])).toEqual([
      ['miss', 'get'],
      ['miss', 'getOrSet'],
      ['set', 'set'],
      ['hit', 'getOrSet'],
      ['delete', 'invalidate'],
    ])
    expect(events[0]).toEqual({ type: 'miss', keyPrefix: 'identity:patient', template: 'patient:{id}', operation: 'get', driver: 'memory' })
    expect(events[4]?.count).toBe(1)
    const text = JSON.stringify(events)
    expect(text).not.toContain(SECRET_ID)
    expect(text).not.toContain(encodeURIComponent(SECRET_ID))
    expect(text).not.toContain('Dupont')
  })

  it('reports store errors with their code, and loader errors without the error itself', async () => {
    const { events, listener } = recording()
    const driver = chaosDriver(memoryDriver(), { failureRate: 1 })
    const { cache } = testCache({ driver, events: { error: listener } })
    await cache.get(patientKey({ id: SECRET_ID }))
    expect(events).toEqual([
      { type: 'error', keyPrefix: expect.any(String), template: 'patient:{id}', operation: 'get', code: 'DRIVER_FAILURE', source: 'store', driver: 'memory' },
    ])
    driver.chaos.heal()
    await cache.getOrSet('k', () => Promise.reject(new Error(SECRET_VALUE))).catch(() => undefined)
    expect(events[1]).toMatchObject({ type: 'error', operation: 'loader', source: 'loader' })
    expect(JSON.stringify(events)).not.toContain('Dupont')
  })

  it('reports a stale hit', async () => {
    const { events, listener } = recording()
    const clock = createFakeClock()
    const { cache } = testCache({ driver: memoryDriver({ clock }), clock, ttl: '1m', grace: '1h', prefix: 'identity' })
    cache.on('staleHit', listener)
    await cache.getOrSet(patientKey({ id: 1 }), () => 'good')
    clock.advance(60_000)
    await cache.getOrSet(patientKey({ id: 1 }), () => Promise.reject(new Error('down')))
    expect(events).toEqual([{ type: 'staleHit', keyPrefix: 'identity:patient', template: 'patient:{id}', operation: 'getOrSet', driver: 'memory' }])
  })

  it('on() returns an unsubscribe function, and a listener that throws never fails the call', async () => {
    const { events, listener } = recording()
    const { cache } = testCache()
    const off = cache.on('miss', listener)
    cache.on('miss', () => {
      throw new Error('listener bug')
    })
    expect(await cache.get('a')).toBeUndefined()
    off()
    expect(await cache.getOrSet('a', () => 1)).toBe(1)
    expect(events).toHaveLength(1)
  })

  it('rejects an unknown event name in the events option', () => {
    expect(() => testCache({ events: { hits: () => undefined } as never })).toThrow(/events: expected/)
  })
})

describe('diagnostics_channel', () => {
  it("publishes events on 'cachette:<event>' channels when diagnosticsChannel is true", async () => {
    const received: unknown[] = []
    const onHit = (message: unknown) => void received.push(message)
    diagnosticsChannel.subscribe('cachette:hit', onHit)
    try {
      const { cache } = testCache({ diagnosticsChannel: true, prefix: 'dc' })
      await cache.set('k', 1)
      await cache.get('k')
      expect(received).toEqual([{ type: 'hit', keyPrefix: 'dc', operation: 'get', driver: 'memory' }])
    } finally {
      diagnosticsChannel.unsubscribe('cachette:hit', onHit)
    }
  })

  it('accepts an injected module (runtimes where core cannot find it)', async () => {
    const published: [string, unknown][] = []
    const module = { channel: (name: string) => ({ hasSubscribers: name === 'cachette:miss', publish: (message: unknown) => void published.push([name, message]) }) }
    const { cache } = testCache({ diagnosticsChannel: module })
    await cache.get('nothing')
    await cache.set('k', 1)
    expect(published).toEqual([['cachette:miss', expect.objectContaining({ type: 'miss' })]])
  })
})
