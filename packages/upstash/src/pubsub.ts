import { DriverError, type SubscribeOptions, type Unsubscribe } from '@cachette/core'
import type { Redis } from '@upstash/redis'
import { toCacheError } from './driver-errors.js'
import { readEventStream, streamEndpoint } from './event-stream.js'

/*
 * SUBSCRIBE over Upstash REST: `POST <url>/subscribe/<channel>` as server-sent events, read as
 * @upstash/redis 1.39 reads them (event-stream.ts), `data: <type>,<channel>,<payload>` lines.
 * Upstash ends the stream when its Redis connection ends, and nothing re-opens it: this file does,
 * with a backoff, telling `onConnectionChange` false at the loss and true at the new stream's
 * `subscribe` confirmation. Two facts of the wire format shape it:
 * - the channel goes into the URL as it is (no encoding), so characters a URL parser rewrites
 *   ('/', '?', '#', '%', spaces, non-ASCII...) are percent-encoded here; the path characters
 *   RFC 3986 allows raw (letters, digits, `-._~!$&'()*+,;=:@`) are left alone, so ordinary
 *   names such as `cache:invalidate` go out unchanged;
 * - lines are split at the first two commas, so with a comma in the channel name the
 *   channel/payload pair is ambiguous; the payload is recovered from the channel we know.
 * A payload with a line break does not arrive whole: the stream is read line by line, as the
 * client reads it.
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

/** A subscription of this driver, tracked so `close()` can end it. */
export interface ActiveSubscription {
  readonly stop: Unsubscribe
}

/** What {@link subscribe} needs besides the channel and the listener. */
export interface SubscribeSettings {
  /** How long a stream may take to be confirmed. */
  readonly timeoutMs: number
  /** Told when the subscription stops, whoever stops it. */
  readonly onStop: (subscription: ActiveSubscription) => void
  /** The caller's options: `onConnectionChange` is told of losses and re-subscriptions. */
  readonly options: SubscribeOptions | undefined
}

/** Re-opening a lost stream waits this long first, doubling up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 50
const MAX_RETRY_MS = 2_000

/** The message of a `message` event's data (`message,<channel>,<payload>`). */
function payloadOf(data: string, prefix: string): string {
  const rest = data.slice('message,'.length)
  return rest.startsWith(prefix) ? rest.slice(prefix.length) : rest.slice(rest.indexOf(',') + 1)
}

function unref(timer: ReturnType<typeof setTimeout>): void {
  ;(timer as { unref?: () => void }).unref?.()
}

/**
 * Subscribes and resolves once the server confirmed (its `subscribe` event), or rejects on an
 * error answer (a wrong token), a stream ended unconfirmed, or after `timeoutMs`. Once confirmed,
 * a lost stream is re-opened until the subscription stops.
 */
export function subscribe(client: Redis, channel: string, listener: (message: string) => void, settings: SubscribeSettings): Promise<ActiveSubscription> {
  const endpoint = streamEndpoint(client)
  if (endpoint === undefined) {
    return Promise.reject(new DriverError('UNSUPPORTED', "[@cachette/upstash] subscribe: the client's requester is not @upstash/redis's HTTP client"))
  }
  const path = channelPath(channel)
  const prefix = `${channel},`
  const onConnectionChange = settings.options?.onConnectionChange
  let active = true
  /** Whether a stream was ever confirmed: until then a failure rejects the subscribe. */
  let subscribed = false
  /** Whether the current stream is confirmed. */
  let confirmed = false
  /** What onConnectionChange was last told. */
  let told = true
  let stream: AbortController | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let confirmTimer: ReturnType<typeof setTimeout> | undefined
  let retryMs = FIRST_RETRY_MS
  let settleFirst: (error: Error | undefined) => void = () => undefined

  const tell = (connected: boolean): void => {
    if (!active || told === connected) return
    told = connected
    try {
      onConnectionChange?.(connected)
    } catch {
      // Ignored, as documented by SubscribeOptions.
    }
  }

  const subscription: ActiveSubscription = {
    stop: async () => {
      if (!active) return
      active = false
      clearTimeout(retryTimer)
      clearTimeout(confirmTimer)
      settings.onStop(subscription)
      const before = confirmed ? await countSubscribers(client, channel) : undefined
      stream?.abort()
      if (before !== undefined) await waitForFewerSubscribers(client, channel, before)
    },
  }

  const onData = (current: AbortController, data: string): void => {
    if (!active || stream !== current) return
    if (data.startsWith('subscribe,')) {
      clearTimeout(confirmTimer)
      confirmed = true
      retryMs = FIRST_RETRY_MS
      if (subscribed) tell(true)
      subscribed = true
      settleFirst(undefined)
    } else if (data.startsWith('message,')) {
      try {
        listener(payloadOf(data, prefix))
      } catch (error) {
        // Thrown inside the stream reader it would end the subscription; rethrown on its own
        // it surfaces like a throwing EventEmitter listener.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }

  const open = (): void => {
    const current = new AbortController()
    stream = current
    confirmed = false
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      current.abort()
    }, settings.timeoutMs)
    unref(timer)
    confirmTimer = timer
    const ended = (error: unknown): void => {
      clearTimeout(timer)
      if (!active || stream !== current) return
      if (!subscribed) {
        settleFirst(
          timedOut
            ? new DriverError('DRIVER_FAILURE', `[@cachette/upstash] subscribe: the server did not confirm the subscription within ${settings.timeoutMs} ms`)
            : error === undefined
              ? new DriverError('DRIVER_FAILURE', '[@cachette/upstash] subscribe: the server ended the subscription before confirming it')
              : toCacheError('subscribe', error, undefined),
        )
        return
      }
      confirmed = false
      tell(false)
      retryTimer = setTimeout(() => {
        if (active) open()
      }, retryMs)
      unref(retryTimer)
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
    }
    readEventStream(endpoint, path, current.signal, (data) => onData(current, data)).then(
      () => ended(undefined),
      (error: unknown) => ended(error),
    )
  }

  return new Promise<ActiveSubscription>((resolve, reject) => {
    let settled = false
    settleFirst = (error) => {
      if (settled) return
      settled = true
      if (error === undefined) {
        resolve(subscription)
        return
      }
      void subscription.stop().catch(() => undefined)
      reject(error)
    }
    open()
  })
}
