import { DeadlineQueue, DriverError, type SubscribeOptions, type Unsubscribe } from '@cachette/core'
import { valueFromPointer, type GlideString, type PubSubMsg } from '@valkey/valkey-glide'
import { toText } from './commands.js'
import type { AnyGlideClient } from './create-client.js'
import { DRIVER_NAME, toDriverError } from './driver-errors.js'

/**
 * Subscriptions on one dedicated subscriber client (GLIDE delivers dynamic subscriptions'
 * messages to the callback configured when that client was created).
 *
 * GLIDE re-subscribes by itself after a reconnection, but tells nobody that the connection was
 * lost (2.5.2 sends no "disconnect" push on a killed connection). `onConnectionChange` is built
 * from two signals:
 * - a `subscribe` confirmation from the server for a channel that was already subscribed: GLIDE
 *   subscribed again, so the connection was lost in between (messages may have been missed):
 *   `false` at once, then `true` once every channel is subscribed again;
 * - every `checkIntervalMs`, GLIDE's own view (`getSubscriptions()`): a channel missing from its
 *   actual subscriptions (the connection is down, the server unreachable) is `false`, and `true`
 *   again when all are back.
 * The first signal needs GLIDE's push notifications, read by wrapping the client's
 * `notificationToPubSubMessageSafe`; without it (another GLIDE version) the second still works.
 */

interface Entry {
  readonly listener: (message: string) => void
  readonly onConnectionChange: ((connected: boolean) => void) | undefined
  closed: boolean
  /** What this listener was last told (a subscription starts connected): each change is told once. */
  connected: boolean
}

type PushDecoder = (push: { respPointer?: number | { toNumber(): number } | null }, decoder?: unknown) => PubSubMsg | null

function call(callback: () => void): void {
  try {
    callback()
  } catch {
    // A listener that throws is ignored (contract); it must not stop the others.
  }
}

/** The subscriptions of one driver. */
export class Subscriptions {
  private readonly channels = new Map<string, Set<Entry>>()
  /** Subscribe confirmations the driver asked for and has not seen yet, per channel. */
  private readonly expected = new Map<string, number>()
  /** SUBSCRIBE commands in flight, per channel. */
  private readonly subscribing = new Map<string, Promise<void>>()
  private readonly deadlines: DeadlineQueue
  private client: Promise<AnyGlideClient> | undefined
  private connected = true
  private timer: ReturnType<typeof setInterval> | undefined
  private checking = false
  private closed = false

  constructor(
    private readonly open: (onMessage: (message: PubSubMsg) => void) => Promise<AnyGlideClient>,
    private readonly deadlineMs: number,
    private readonly checkIntervalMs: number,
  ) {
    this.deadlines = new DeadlineQueue(deadlineMs)
  }

  private subscriber(): Promise<AnyGlideClient> {
    if (this.client === undefined) {
      const opening = this.open((message) => this.deliver(message)).then((client) => {
        this.watchPushes(client)
        return client
      })
      this.client = opening
      opening.catch(() => {
        if (this.client === opening) this.client = undefined
      })
    }
    return this.client
  }

  /** Reads the server's subscribe confirmations before GLIDE drops them. */
  private watchPushes(client: AnyGlideClient): void {
    const target = client as unknown as { notificationToPubSubMessageSafe?: PushDecoder }
    if (typeof target.notificationToPubSubMessageSafe !== 'function' || typeof valueFromPointer !== 'function') return
    target.notificationToPubSubMessageSafe = (push) => {
      const pointer = push.respPointer
      if (pointer === undefined || pointer === null) return null
      const value = valueFromPointer(typeof pointer === 'number' ? pointer : pointer.toNumber(), true) as { kind?: string; values?: GlideString[] }
      const values = value.values ?? []
      if (value.kind === 'Message') return { channel: values[0] as GlideString, message: values[1] as GlideString, pattern: null }
      if (value.kind === 'Subscribe') this.confirmed(toText(values[0]) ?? '')
      if (value.kind === 'Disconnect') this.lost()
      return null
    }
  }

  private confirmed(channel: string): void {
    const waiting = this.expected.get(channel) ?? 0
    if (waiting > 0) {
      if (waiting === 1) this.expected.delete(channel)
      else this.expected.set(channel, waiting - 1)
      return
    }
    // Subscribed again without being asked: GLIDE reconnected.
    if (this.channels.has(channel)) {
      this.lost()
      void this.check()
    }
  }

  private deliver(message: PubSubMsg): void {
    const channel = toText(message.channel)
    const entries = channel === null ? undefined : this.channels.get(channel)
    if (entries === undefined) return
    const text = toText(message.message) ?? ''
    for (const entry of [...entries]) if (!entry.closed) call(() => entry.listener(text))
  }

  private tell(connected: boolean): void {
    for (const entries of [...this.channels.values()]) {
      for (const entry of [...entries]) {
        const onChange = entry.onConnectionChange
        if (entry.closed || entry.connected === connected) continue
        entry.connected = connected
        if (onChange !== undefined) call(() => onChange(connected))
      }
    }
  }

  private lost(): void {
    if (!this.connected) return
    this.connected = false
    this.tell(false)
  }

  /** Compares the channels the driver holds with the ones GLIDE says it is subscribed to. */
  private async check(): Promise<void> {
    if (this.checking || this.closed || this.client === undefined) return
    this.checking = true
    try {
      const client = await this.client
      const state = await this.deadlines.run(client.getSubscriptions(), 'valkey-glide subscriptions')
      const actual = state.actualSubscriptions[0] as Set<GlideString> | undefined
      const actualNames = new Set([...(actual ?? [])].map((name) => toText(name)))
      let all = true
      for (const channel of this.channels.keys()) {
        if (this.expected.has(channel)) continue // its own SUBSCRIBE is still in flight
        if (!actualNames.has(channel)) all = false
      }
      if (!all) this.lost()
      else if (!this.connected) {
        this.connected = true
        this.tell(true)
      }
    } catch {
      this.lost()
    } finally {
      this.checking = false
    }
  }

  private startChecks(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs)
    this.timer.unref?.()
  }

  private stopChecksIfIdle(): void {
    if (this.channels.size > 0 || this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.connected = true
  }

  /** SUBSCRIBE: resolves once the server confirmed it (or rejects within the deadline). */
  async subscribe(channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    if (this.closed) throw new DriverError('CLOSED', `[${DRIVER_NAME}] subscribe: the driver was closed`)
    const entry: Entry = { listener, onConnectionChange: options?.onConnectionChange, closed: false, connected: true }
    let entries = this.channels.get(channel)
    if (entries === undefined) {
      const client = await this.deadlines.run(this.subscriber(), 'valkey-glide subscribe').catch((error: unknown) => {
        throw toDriverError('subscribe', error)
      })
      entries = this.channels.get(channel)
      if (entries === undefined) {
        entries = new Set()
        this.channels.set(channel, entries)
        this.expected.set(channel, (this.expected.get(channel) ?? 0) + 1)
        const subscribing = this.deadlines.run(client.subscribe(new Set([channel]), this.deadlineMs), 'valkey-glide subscribe')
        this.subscribing.set(channel, subscribing)
        try {
          await subscribing
        } catch (error) {
          this.channels.delete(channel)
          this.stopChecksIfIdle()
          throw toDriverError('subscribe', error)
        } finally {
          if (this.subscribing.get(channel) === subscribing) this.subscribing.delete(channel)
        }
      }
    }
    // A second listener of a channel whose SUBSCRIBE is in flight resolves once it is confirmed.
    const inFlight = this.subscribing.get(channel)
    if (inFlight !== undefined) {
      await inFlight.catch((error: unknown) => {
        throw toDriverError('subscribe', error)
      })
      entries = this.channels.get(channel) ?? entries
    }
    entries.add(entry)
    this.startChecks()
    return async () => {
      if (entry.closed) return
      entry.closed = true
      const current = this.channels.get(channel)
      if (current === undefined) return
      current.delete(entry)
      if (current.size > 0) return
      this.channels.delete(channel)
      this.stopChecksIfIdle()
      const client = await this.client
      if (client === undefined || this.closed) return
      await this.deadlines.run(client.unsubscribe(new Set([channel]), this.deadlineMs), 'valkey-glide unsubscribe').catch(() => undefined)
    }
  }

  /** Stops every subscription; closes the subscriber client. */
  close(): void {
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    for (const entries of this.channels.values()) for (const entry of entries) entry.closed = true
    this.channels.clear()
    const client = this.client
    this.client = undefined
    void client?.then(
      (opened) => opened.close(),
      () => undefined,
    )
  }
}
