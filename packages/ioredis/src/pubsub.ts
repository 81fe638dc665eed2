import type { Unsubscribe } from '@cachette/core'
import { CallRunner, type ConnectionLike } from './call-runner.js'
import type { CommandClient } from './commands.js'

/**
 * SUBSCRIBE on a dedicated connection: a Redis connection in subscriber mode accepts no other
 * command, so the driver duplicates its client the first time someone subscribes, and closes
 * that duplicate on `close()` (even when the main client was handed in: the duplicate is ours).
 * ioredis re-subscribes every channel after a reconnect (`autoResubscribe`).
 */

interface Subscription {
  readonly listener: (message: string) => void
  active: boolean
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
      this.runner = new CallRunner(subscriber as unknown as ConnectionLike, this.deadlineMs, this.maxPendingCalls)
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

  /** Adds a listener; resolves once the server confirmed the channel's subscription. */
  async subscribe(channelName: string, listener: (message: string) => void): Promise<Unsubscribe> {
    const { subscriber, runner } = this.connection()
    const subscription: Subscription = { listener, active: true }
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
    } catch (error) {
      channel.subscriptions.delete(subscription)
      if (this.channels.get(channelName) === channel) this.channels.delete(channelName)
      throw error
    }
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
    this.runner?.close()
    if (this.subscriber !== undefined) {
      this.subscriber.off('message', this.deliver)
      // disconnect(), not QUIT: a connection in subscriber mode has nothing left to flush.
      // The 'error' listener stays: a late socket error must not become an unhandled event.
      this.subscriber.disconnect()
    }
  }
}
