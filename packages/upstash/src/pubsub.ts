import { DriverError, type Unsubscribe } from '@cachette/core'
import type { Redis } from '@upstash/redis'
import { toCacheError } from './driver-errors.js'

/*
 * SUBSCRIBE over Upstash REST: @upstash/redis 1.39 opens `POST <url>/subscribe/<channel>` as
 * server-sent events and reads `data: <type>,<channel>,<payload>` lines. Two client facts shape
 * this file:
 * - the channel goes into the URL as it is (no encoding), so characters a URL parser rewrites
 *   ('/', '?', '#', '%', spaces, non-ASCII...) are percent-encoded here; the path characters
 *   RFC 3986 allows raw (letters, digits, `-._~!$&'()*+,;=:@`) are left alone, so ordinary
 *   names such as `cache:invalidate` go out unchanged;
 * - it splits each line at the first two commas, so with a comma in the channel name its
 *   `message` event carries a shifted channel/payload pair; the payload is recovered from the
 *   channel we know.
 * A payload with a line break does not arrive whole: the client reads the stream line by line.
 * Unsubscribing aborts the stream, then waits until the server counts the subscriber gone.
 */

const PATH_SAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu

function channelPath(channel: string): string {
  return channel.replace(PATH_SAFE, (character) => encodeURIComponent(character))
}

/** How long an unsubscribe waits for the server to drop the subscriber, at most. */
const UNSUBSCRIBE_WAIT_MS = 2_000
const UNSUBSCRIBE_POLL_MS = 5

/** PUBSUB NUMSUB for one channel, or undefined when the server cannot tell. */
async function countSubscribers(client: Redis, channel: string): Promise<number | undefined> {
  try {
    const [, count] = await client.exec<[string, number]>(['PUBSUB', 'NUMSUB', channel])
    return typeof count === 'number' ? count : Number(count)
  } catch {
    return undefined
  }
}

/**
 * Aborting the event stream is all the client can do to unsubscribe, and the server notices the
 * closed connection a moment later: a PUBLISH sent right after would still count this
 * subscriber. So wait (bounded) until the server counts one subscriber fewer than before.
 */
async function waitForFewerSubscribers(client: Redis, channel: string, before: number): Promise<void> {
  const deadline = Date.now() + UNSUBSCRIBE_WAIT_MS
  for (;;) {
    const now = await countSubscribers(client, channel)
    if (now === undefined || now < before || Date.now() >= deadline) return
    await new Promise((resolve) => setTimeout(resolve, UNSUBSCRIBE_POLL_MS))
  }
}

/** What the client's Subscriber offers (its types name only the events, not this shape). */
interface SubscriberLike {
  on(type: 'subscribe', listener: (count: number) => void): void
  on(type: 'message', listener: (event: { channel: string; message: unknown }) => void): void
  on(type: 'error', listener: (error: Error) => void): void
  unsubscribe(channels?: string[]): Promise<void>
}

/** A subscription of this driver, tracked so `close()` can end it. */
export interface ActiveSubscription {
  readonly stop: Unsubscribe
}

/**
 * Subscribes and resolves once the server confirmed (its `subscribe` event), or rejects on an
 * error answer (a wrong token) or after `timeoutMs`.
 */
export function subscribe(
  client: Redis,
  channel: string,
  listener: (message: string) => void,
  timeoutMs: number,
  onStop: (subscription: ActiveSubscription) => void,
): Promise<ActiveSubscription> {
  const subscriber = client.subscribe<string>([channelPath(channel)]) as unknown as SubscriberLike
  let active = true
  let confirmed = false
  const prefix = `${channel},`
  const subscription: ActiveSubscription = {
    stop: async () => {
      if (!active) return
      active = false
      onStop(subscription)
      const before = confirmed ? await countSubscribers(client, channel) : undefined
      await subscriber.unsubscribe()
      if (before !== undefined) await waitForFewerSubscribers(client, channel, before)
    },
  }
  subscriber.on('message', (event) => {
    if (!active) return
    const rest = `${event.channel},${String(event.message)}`
    const message = rest.startsWith(prefix) ? rest.slice(prefix.length) : String(event.message)
    try {
      listener(message)
    } catch (error) {
      // Thrown inside the client's stream reader it would end the subscription; rethrown on
      // its own it surfaces like a throwing EventEmitter listener.
      queueMicrotask(() => {
        throw error
      })
    }
  })
  return new Promise<ActiveSubscription>((resolve, reject) => {
    let settled = false
    const settle = (error: Error | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error === undefined) {
        resolve(subscription)
        return
      }
      void subscription.stop().catch(() => undefined)
      reject(error)
    }
    const timer = setTimeout(
      () => settle(new DriverError('DRIVER_FAILURE', `[@cachette/upstash] subscribe: the server did not confirm the subscription within ${timeoutMs} ms`)),
      timeoutMs,
    )
    subscriber.on('subscribe', () => {
      confirmed = true
      settle(undefined)
    })
    subscriber.on('error', (error) => settle(toCacheError('subscribe', error, undefined)))
  })
}
