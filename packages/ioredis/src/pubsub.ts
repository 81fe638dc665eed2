import { DriverError, type SubscribeOptions, type Unsubscribe } from '@cachette/core'
import { CallRunner, type ConnectionLike } from './call-runner.js'
import type { CommandClient } from './commands.js'
import { SubscriberConnection } from './pubsub-connection.js'

/**
 * SUBSCRIBE on a dedicated connection: a Redis connection in subscriber mode accepts no other
 * command, so the driver duplicates its client the first time someone subscribes, and closes
 * that duplicate on `close()` (even when the main client was handed in: the duplicate is ours).
 * ioredis re-subscribes every channel after a reconnect (`autoResubscribe`); SubscriberConnection
 * tells each subscription's `onConnectionChange` when the connection is lost and once its channels
 * are subscribed again.
 */

interface Subscription {
  readonly listener: (message: string) => void
  readonly onConnectionChange: ((connected: boolean) => void) | undefined
  active: boolean
  /** Set once its subscribe resolved: nothing is told before. */
  started: boolean
  /** What `onConnectionChange` was last told (true until told otherwise). */
  connected: boolean
}

interface Channel {
  readonly subscriptions: Set<Subscription>
  /** Settles once SUBSCRIBE was acknowledged by the server. */
  active: Promise<void>
}

/** The subscriptions of one driver. */
export class Subscriptions {
  private subscriber: CommandClient | undefined
  private runner: CallRunner | undefined
  private watcher: SubscriberConnection | undefined
  private readonly channels = new Map<string, Channel>()

  constructor(
    private readonly source: CommandClient,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  private connection(): { subscriber: CommandClient; runner: CallRunner } {
    if (this.subscriber === undefined || this.runner === undefined) {
      const subscriber = this.source.duplicate()
      subscriber.on('error', this.onError)
      subscriber.on('message', this.deliver)
      this.subscriber = subscriber
      const runner = new CallRunner(subscriber as unknown as ConnectionLike, this.deadlineMs, this.maxPendingCalls)
      this.runner = runner
      this.watcher = new SubscriberConnection(subscriber, () => this.resubscribe(subscriber, runner), this.tell)
    }
    return { subscriber: this.subscriber, runner: this.runner }
  }

  private readonly deliver = (channelName: string, message: string): void => {
    const channel = this.channels.get(channelName)
    if (channel === undefined) return
    for (const subscription of channel.subscriptions) {
      // One microtask per listener, as the memory driver does: a listener that throws cannot
      // break ioredis' reply parsing or starve the other listeners.
      queueMicrotask(() => {
        if (subscription.active) subscription.listener(message)
      })
    }
  }

  /** SUBSCRIBE again for every channel, after a reconnect: resolves once Redis acknowledged it. */
  private async resubscribe(subscriber: CommandClient, runner: CallRunner): Promise<void> {
    const names = [...this.channels.keys()]
    if (names.length === 0) return
    await runner.run('subscribe', () => (subscriber.subscribe as (...channels: string[]) => Promise<unknown>)(...names))
  }

  /** Tells every live subscription that asked, once per change; a throwing callback is ignored. */
  private readonly tell = (connected: boolean): void => {
    for (const channel of this.channels.values()) {
      for (const subscription of channel.subscriptions) {
        if (!subscription.active || !subscription.started || subscription.connected === connected) continue
        subscription.connected = connected
        try {
          subscription.onConnectionChange?.(connected)
        } catch {
          // Ignored, as documented by SubscribeOptions.
        }
      }
    }
  }

  /** Adds a listener; resolves once the server confirmed the channel's subscription. */
  async subscribe(channelName: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    const { subscriber, runner } = this.connection()
    const watcher = this.watcher as SubscriberConnection
    const subscription: Subscription = { listener, onConnectionChange: options?.onConnectionChange, active: true, started: false, connected: true }
    let channel = this.channels.get(channelName)
    if (channel === undefined) {
      const created: Channel = { subscriptions: new Set(), active: Promise.resolve() }
      created.active = runner.run('subscribe', () => subscriber.subscribe(channelName)).then(() => undefined)
      this.channels.set(channelName, created)
      channel = created
    }
    channel.subscriptions.add(subscription)
    try {
      await channel.active
      // A channel subscribed before a loss resolves at once: this subscription starts connected
      // only once the connection is subscribed again.
      if (!watcher.up) await watcher.settled()
      if (!watcher.up) throw new DriverError('DRIVER_FAILURE', '[@cachette/ioredis] subscribe failed: the subscriber connection to Redis is down')
    } catch (error) {
      subscription.active = false
      channel.subscriptions.delete(subscription)
      if (channel.subscriptions.size === 0 && this.channels.get(channelName) === channel) this.channels.delete(channelName)
      throw error
    }
    subscription.started = true
    const owner = channel
    return async () => {
      if (!subscription.active) return
      subscription.active = false
      owner.subscriptions.delete(subscription)
      if (owner.subscriptions.size > 0 || this.channels.get(channelName) !== owner) return
      this.channels.delete(channelName)
      await runner.run('unsubscribe', () => subscriber.unsubscribe(channelName))
    }
  }

  /** Closes the dedicated connection, if one was opened. */
  close(): void {
    for (const channel of this.channels.values()) for (const subscription of channel.subscriptions) subscription.active = false
    this.channels.clear()
    this.watcher?.stop()
    this.runner?.close()
    if (this.subscriber !== undefined) {
      this.subscriber.off('message', this.deliver)
      // disconnect(), not QUIT: a connection in subscriber mode has nothing left to flush.
      // The 'error' listener stays: a late socket error must not become an unhandled event.
      this.subscriber.disconnect()
    }
  }
}
