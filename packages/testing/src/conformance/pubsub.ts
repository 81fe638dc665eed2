import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'
import { waitFor } from './wait-for.js'

/** How long to watch for a message that must not arrive. Not a timing assertion: a late message fails too. */
const QUIET_MS = 50

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The changes told to a subscription's `onConnectionChange`, in order. */
function connectionChanges(): { changes: boolean[]; onConnectionChange: (connected: boolean) => void } {
  const changes: boolean[] = []
  return { changes, onConnectionChange: (connected) => changes.push(connected) }
}

/** PUBLISH / SUBSCRIBE. */
export function registerPubSubTests(context: ConformanceContext): void {
  describe('pub/sub', () => {
    const driver = useDriver(context)

    it('publish without subscribers resolves 0', async () => {
      const p = freshPrefix()
      expect(await driver().publish(`${p}channel`, 'hello')).toBe(0)
    })

    it('delivers messages in order, asynchronously, and publish counts the subscriber', async () => {
      const p = freshPrefix()
      const received: string[] = []
      const unsubscribe = await driver().subscribe(`${p}channel`, (message) => received.push(message))
      try {
        const published = driver().publish(`${p}channel`, 'one')
        // Like a message coming back from a server, the listener never runs inside publish().
        expect(received).toEqual([])
        if (context.quirks.publishCountsOneNode) expect([0, 1]).toContain(await published)
        else expect(await published).toBe(1)
        await driver().publish(`${p}channel`, 'two')
        await driver().publish(`${p}channel`, 'três 😀 \u0000')
        await waitFor(() => received.length >= 3)
        expect(received).toEqual(['one', 'two', 'três 😀 \u0000'])
      } finally {
        await unsubscribe()
      }
    })

    it('a subscriber receives only its channel', async () => {
      const p = freshPrefix()
      const onA: string[] = []
      const unsubscribe = await driver().subscribe(`${p}a`, (message) => onA.push(message))
      try {
        expect(await driver().publish(`${p}b`, 'for b')).toBe(0)
        await driver().publish(`${p}a`, 'for a')
        await waitFor(() => onA.length >= 1)
        await pause(QUIET_MS)
        expect(onA).toEqual(['for a'])
      } finally {
        await unsubscribe()
      }
    })

    it('after unsubscribe resolves, nothing more is delivered', async () => {
      const p = freshPrefix()
      const received: string[] = []
      const unsubscribe = await driver().subscribe(`${p}channel`, (message) => received.push(message))
      await driver().publish(`${p}channel`, 'before')
      await waitFor(() => received.length >= 1)
      await unsubscribe()
      expect(await driver().publish(`${p}channel`, 'after')).toBe(0)
      await pause(QUIET_MS)
      expect(received).toEqual(['before'])
    })

    it('keeps other subscriptions when one unsubscribes', async () => {
      const p = freshPrefix()
      const first: string[] = []
      const second: string[] = []
      const stopFirst = await driver().subscribe(`${p}one`, (message) => first.push(message))
      const stopSecond = await driver().subscribe(`${p}two`, (message) => second.push(message))
      try {
        await stopFirst()
        await driver().publish(`${p}one`, 'x')
        await driver().publish(`${p}two`, 'y')
        await waitFor(() => second.length >= 1)
        await pause(QUIET_MS)
        expect(first).toEqual([])
        expect(second).toEqual(['y'])
      } finally {
        await stopSecond()
      }
    })

    it('onConnectionChange is not called while the connection holds, nor after unsubscribe', async () => {
      const p = freshPrefix()
      const received: string[] = []
      const watched = connectionChanges()
      const unsubscribe = await driver().subscribe(`${p}channel`, (message) => received.push(message), watched)
      await driver().publish(`${p}channel`, 'one')
      await waitFor(() => received.length >= 1)
      await unsubscribe()
      await driver().publish(`${p}channel`, 'two')
      await pause(QUIET_MS)
      expect(received).toEqual(['one'])
      expect(watched.changes).toEqual([])
    })

    const kill = context.killPubSubConnections
    if (kill !== undefined) {
      it('onConnectionChange tells false when the connection is killed, then true once subscribed again', async () => {
        const p = freshPrefix()
        const received: string[] = []
        const watched = connectionChanges()
        // Published from inside the `true` call: it must arrive, so `true` came after the re-subscription.
        let publishedOnTrue: Promise<number> | undefined
        const unsubscribe = await driver().subscribe(`${p}channel`, (message) => received.push(message), {
          onConnectionChange: (connected) => {
            watched.onConnectionChange(connected)
            if (connected) publishedOnTrue = driver().publish(`${p}channel`, 'after')
          },
        })
        // A throwing callback is ignored; one unsubscribed before the kill is never told.
        const stopThrowing = await driver().subscribe(`${p}channel`, () => undefined, {
          onConnectionChange: () => {
            throw new Error('a listener failure')
          },
        })
        const gone = connectionChanges()
        const stopGone = await driver().subscribe(`${p}other`, () => undefined, gone)
        await stopGone()
        try {
          await driver().publish(`${p}channel`, 'before')
          await waitFor(() => received.length >= 1)
          await kill()
          await waitFor(() => watched.changes.length >= 1)
          expect(watched.changes[0]).toBe(false)
          await waitFor(() => watched.changes.length >= 2, 15_000)
          expect(watched.changes).toEqual([false, true])
          await publishedOnTrue
          await waitFor(() => received.includes('after'))
          expect(received).toEqual(['before', 'after'])
          await driver().publish(`${p}channel`, 'later')
          await waitFor(() => received.length >= 3)
          expect(received).toEqual(['before', 'after', 'later'])
          expect(watched.changes).toEqual([false, true])
          expect(gone.changes).toEqual([])
        } finally {
          await stopThrowing()
          await unsubscribe()
        }
      })
    }
  })
}
