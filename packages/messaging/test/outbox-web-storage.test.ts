import { describe, expect, it } from 'vitest'
import { OutboxFullError } from '../src/outbox/errors.js'
import { webStorageOutbox } from '../src/outbox/web-storage-outbox.js'
import { MapStorage } from './support/outbox-map-storage.js'

/*
 * What only the browser outbox does: the storage's own quota, two tabs sharing one key, a reload
 * (a new outbox over the same storage), and a key that holds something else.
 */

interface Sent {
  readonly id: string
  readonly content: string
}

const key = 'messaging:outbox:patient:5'
const sent = (index: number): Sent => ({ id: `msg_${index}`, content: `Bonjour docteur ${index}` })

async function drain(outbox: ReturnType<typeof webStorageOutbox<Sent>>): Promise<string[]> {
  const applied: string[] = []
  await outbox.replay(async (entry) => void applied.push(entry.id))
  return applied
}

describe('webStorageOutbox', () => {
  it('survives a reload: a new outbox over the same storage replays what the last one accepted', async () => {
    const storage = new MapStorage()
    const before = webStorageOutbox<Sent>({ storage, key })
    await before.append(sent(0))
    await before.append(sent(1))
    const after = webStorageOutbox<Sent>({ storage, key })
    expect(after.depth).toBe(2)
    expect(await drain(after)).toEqual(['msg_0', 'msg_1'])
  })

  it('turns the browser quota into OutboxFullError and keeps what was stored', async () => {
    const storage = new MapStorage(600)
    const outbox = webStorageOutbox<Sent>({ storage, key })
    let accepted = 0
    let error: unknown
    while (error === undefined) {
      await outbox.append(sent(accepted)).then(
        () => (accepted += 1),
        (caught: unknown) => (error = caught),
      )
    }
    expect(error).toBeInstanceOf(OutboxFullError)
    expect((error as OutboxFullError).cause).toMatchObject({ name: 'QuotaExceededError' })
    expect(await drain(outbox)).toEqual(Array.from({ length: accepted }, (_, index) => `msg_${index}`))
  })

  it('does not lose an append made by another tab sharing the key', async () => {
    const storage = new MapStorage()
    const tabA = webStorageOutbox<Sent>({ storage, key })
    const tabB = webStorageOutbox<Sent>({ storage, key })
    await tabA.append(sent(0))
    await tabB.append(sent(1))
    await tabA.append(sent(2))
    expect(tabB.depth).toBe(3)
    expect(await drain(tabB)).toEqual(['msg_0', 'msg_1', 'msg_2'])
    expect(tabA.depth).toBe(0)
  })

  it('does not acknowledge an entry another tab appended after the one it applied', async () => {
    const storage = new MapStorage()
    const tabA = webStorageOutbox<Sent>({ storage, key })
    const tabB = webStorageOutbox<Sent>({ storage, key })
    await tabA.append(sent(0))
    const appliedByA: string[] = []
    await tabA.replay(async (entry) => {
      appliedByA.push(entry.id)
      if (entry.id === 'msg_0') {
        // Meanwhile tab B replays the same entry and queues a new one.
        await drain(tabB)
        await tabB.append(sent(1))
      }
    })
    expect(appliedByA).toEqual(['msg_0', 'msg_1'])
    expect(tabB.depth).toBe(0)
  })

  it('refuses a key that holds something other than an outbox with OUTBOX_CORRUPT, leaving it untouched', async () => {
    const storage = new MapStorage()
    storage.setItem(key, '{"theme":"dark"}')
    const outbox = webStorageOutbox<Sent>({ storage, key })
    await expect(outbox.append(sent(0))).rejects.toMatchObject({ code: 'OUTBOX_CORRUPT' })
    expect(storage.getItem(key)).toBe('{"theme":"dark"}')
  })
})
