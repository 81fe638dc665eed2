import { join } from 'node:path'
import { InvalidOptionsError } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { isOutboxFullError, OutboxFullError } from '../src/outbox/errors.js'
import { fileOutbox } from '../src/outbox/file-outbox.js'
import { memoryOutbox } from '../src/outbox/memory-outbox.js'
import type { Outbox } from '../src/outbox/shared.js'
import { webStorageOutbox } from '../src/outbox/web-storage-outbox.js'
import type { MessagingOutbox, OutboxEntry } from '../src/outbox-port.js'
import { MapStorage } from './support/outbox-map-storage.js'
import { useOutboxTempDir } from './support/outbox-temp-dir.js'

/*
 * What every outbox kind promises through the port: append order, replay that stops at a failing
 * apply, bounds that reject without losing anything, order kept by concurrent appends.
 */

interface Sent {
  readonly id: string
  readonly content: string
}

type Limits = { readonly maxEntries?: number; readonly maxBytes?: number }

const tempDir = useOutboxTempDir()

const kinds: readonly (readonly [string, (limits?: Limits) => Promise<Outbox<Sent>>])[] = [
  ['memoryOutbox', async (limits = {}) => memoryOutbox<Sent>(limits)],
  ['webStorageOutbox', async (limits = {}) => webStorageOutbox<Sent>({ storage: new MapStorage(), key: 'messaging:outbox:test', ...limits })],
  ['fileOutbox', async (limits = {}) => fileOutbox<Sent>({ path: join(await tempDir(), 'outbox.journal'), ...limits })],
]

const sent = (index: number): Sent => ({ id: `msg_${index}`, content: `Bonjour docteur, message ${index} — é` })

async function drain(outbox: Outbox<Sent>): Promise<Sent[]> {
  const applied: Sent[] = []
  await outbox.replay(async (entry) => void applied.push(entry))
  return applied
}

describe.each(kinds)('%s', (_, create) => {
  it('replays entries in append order and removes them', async () => {
    const outbox = await create()
    for (let index = 0; index < 20; index += 1) await outbox.append(sent(index))
    expect(outbox.depth).toBe(20)
    const applied: Sent[] = []
    await expect(outbox.replay(async (entry) => void applied.push(entry))).resolves.toBe(20)
    expect(applied).toEqual(Array.from({ length: 20 }, (_, index) => sent(index)))
    expect(outbox.depth).toBe(0)
    await expect(outbox.replay(async () => undefined)).resolves.toBe(0)
    await outbox.close()
  })

  it('keeps the order of concurrent appends', async () => {
    const outbox = await create()
    await Promise.all(Array.from({ length: 100 }, (_, index) => outbox.append(sent(index))))
    expect(await drain(outbox)).toEqual(Array.from({ length: 100 }, (_, index) => sent(index)))
    await outbox.close()
  })

  it('stops the replay at the first apply that rejects, keeping that entry and the rest', async () => {
    const outbox = await create()
    for (let index = 0; index < 5; index += 1) await outbox.append(sent(index))
    const seen: string[] = []
    const applied = await outbox.replay(async (entry) => {
      seen.push(entry.id)
      if (entry.id === 'msg_2') throw new Error('store down again')
    })
    expect(applied).toBe(2)
    expect(seen).toEqual(['msg_0', 'msg_1', 'msg_2'])
    expect(outbox.depth).toBe(3)
    expect(await drain(outbox)).toEqual([sent(2), sent(3), sent(4)])
    await outbox.close()
  })

  it('applies entries appended while a replay runs, after the ones before them', async () => {
    const outbox = await create()
    await outbox.append(sent(0))
    const applied: string[] = []
    await outbox.replay(async (entry) => {
      applied.push(entry.id)
      if (entry.id === 'msg_0') await outbox.append(sent(1))
    })
    expect(applied).toEqual(['msg_0', 'msg_1'])
    await outbox.close()
  })

  it('rejects an append beyond maxEntries with OutboxFullError, losing nothing', async () => {
    const outbox = await create({ maxEntries: 3 })
    await Promise.all([0, 1, 2].map((index) => outbox.append(sent(index))))
    const error = await outbox.append(sent(3)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OutboxFullError)
    expect(isOutboxFullError(error)).toBe(true)
    expect((error as OutboxFullError).code).toBe('OUTBOX_FULL')
    expect((error as Error).message).not.toContain('Bonjour')
    expect(outbox.depth).toBe(3)
    expect(await drain(outbox)).toEqual([sent(0), sent(1), sent(2)])
    // Room again once replayed.
    await outbox.append(sent(4))
    expect(await drain(outbox)).toEqual([sent(4)])
    await outbox.close()
  })

  it('rejects an append beyond maxBytes, and one entry larger than maxBytes, without content in the message', async () => {
    const outbox = await create({ maxBytes: 400 })
    let accepted = 0
    let error: unknown
    for (let index = 0; error === undefined; index += 1) {
      await outbox.append(sent(index)).then(
        () => (accepted += 1),
        (caught: unknown) => (error = caught),
      )
    }
    expect(error).toBeInstanceOf(OutboxFullError)
    expect(accepted).toBeGreaterThan(1)
    const huge = await outbox.append({ id: 'msg_huge', content: 'x'.repeat(1000) }).catch((caught: unknown) => caught)
    expect(huge).toBeInstanceOf(OutboxFullError)
    expect((huge as Error).message).not.toContain('xxx')
    expect(await drain(outbox)).toEqual(Array.from({ length: accepted }, (_, index) => sent(index)))
    await outbox.close()
  })

  it('rejects appends and replays after close', async () => {
    const outbox = await create()
    await outbox.close()
    await expect(outbox.append(sent(0))).rejects.toMatchObject({ code: 'OUTBOX_CLOSED' })
    await expect(outbox.replay(async () => undefined)).rejects.toMatchObject({ code: 'OUTBOX_CLOSED' })
  })

  it('refuses invalid bounds with InvalidOptionsError', async () => {
    await expect(create({ maxEntries: 0 })).rejects.toBeInstanceOf(InvalidOptionsError)
    await expect(create({ maxBytes: 1.5 })).rejects.toBeInstanceOf(InvalidOptionsError)
  })
})

describe('the messaging port', () => {
  it('accepts every outbox kind where createMessaging takes a MessagingOutbox', async () => {
    const ports: MessagingOutbox[] = [
      memoryOutbox<OutboxEntry>(),
      webStorageOutbox<OutboxEntry>({ storage: new MapStorage(), key: 'messaging:outbox' }),
      await fileOutbox<OutboxEntry>({ path: join(await tempDir(), 'outbox.journal') }),
    ]
    expect(ports.map((port) => port.depth)).toEqual([0, 0, 0])
    await Promise.all(ports.map((port) => (port as Outbox<OutboxEntry>).close()))
  })
})
