import { DriverError, type SubscribeOptions, type Unsubscribe } from '@cachette/core'
import { CallRunner } from './call-runner.js'
import { DRIVER_NAME } from './driver-errors.js'
import { type ConnectionSource, NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'

/**
 * SUBSCRIBE on a dedicated connection: a Redis connection in subscriber mode accepts no other
 * command, so the driver opens its own the first time someone subscribes (a duplicate of the
 * client, even of one handed in: the duplicate is the driver's), and closes it on `close()`.
 *
 * node-redis subscribes every channel again when the same client reconnects, before it emits
 * `ready`, so `ready` means "subscribed again" here; when the driver had to open a new client (a
 * Sentinel failover, a frozen server) it subscribes the channels itself first. Each
 * subscription's `onConnectionChange` is told `false` when the connection is lost and `true`
 * once its channels are subscribed again.
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

/** Tells a callback, ignoring a throw (as SubscribeOptions and TrackingOptions document). */
export function tellSafely(callback: ((connected: boolean) => void) | undefined, connected: boolean): void {
  try {
    callback?.(connected)
  } catch {
    // Ignored, as documented.
  }
}

/** The subscriptions of one driver. */
export class Subscriptions {
  private connection: NodeConnection | undefined
  private runner: CallRunner | undefined
  /** The client the channels are subscribed on. */
  private subscribedOn: RedisDriverClient | undefined
  private readonly channels = new Map<string, Channel>()

  constructor(
    private readonly source: () => ConnectionSource,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly socketTimeoutMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  private open(): { connection: NodeConnection; runner: CallRunner } {
    if (this.connection === undefined || this.runner === undefined) {
      const connection = new NodeConnection(this.source(), this.socketTimeoutMs, this.onError)
      this.connection = connection
      this.runner = new CallRunner(connection, this.deadlineMs, this.maxPendingCalls)
      connection.on('lost', () => this.tell(false))
      connection.on('ready', (client: RedisDriverClient) => void this.restore(client))
    }
    return { connection: this.connection, runner: this.runner }
  }

  private readonly deliver = (message: string, channelName: string): void => {
    const channel = this.channels.get(channelName)
    if (channel === undefined) return
    for (const subscription of channel.subscriptions) {
      // One microtask per listener: a listener that throws cannot break node-redis' reply
      // parsing or starve the other listeners.
      queueMicrotask(() => {
        if (subscription.active) subscription.listener(message)
      })
    }
  }

  /** After a reconnect: subscribes the channels on a new client, then reports the connection back. */
  private async restore(client: RedisDriverClient): Promise<void> {
    const first = this.subscribedOn === undefined
    if (!first && client !== this.subscribedOn && this.channels.size > 0) {
      try {
        await client.subscribe([...this.channels.keys()], this.deliver)
      } catch {
        return // the new connection failed too; its loss and the next 'ready' follow
      }
    }
    this.subscribedOn = client
    if (this.connection?.client === client && this.connection.status === 'ready') this.tell(true)
  }

  private tell(connected: boolean): void {
    for (const channel of this.channels.values()) {
      for (const subscription of channel.subscriptions) {
        if (!subscription.active || !subscription.started || subscription.connected === connected) continue
        subscription.connected = connected
        tellSafely(subscription.onConnectionChange, connected)
      }
    }
  }

  /** Adds a listener; resolves once the server confirmed the channel's subscription. */
  async subscribe(channelName: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
    const { connection, runner } = this.open()
    const subscription: Subscription = { listener, onConnectionChange: options?.onConnectionChange, active: true, started: false, connected: true }
    let channel = this.channels.get(channelName)
    if (channel === undefined) {
      const created: Channel = { subscriptions: new Set(), active: Promise.resolve() }
      created.active = runner.run('subscribe', (client) => {
        this.subscribedOn ??= client
        return client.subscribe(channelName, this.deliver)
      })
      this.channels.set(channelName, created)
      channel = created
    }
    channel.subscriptions.add(subscription)
    try {
      await channel.active
      if (connection.status !== 'ready') throw new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] subscribe failed: the subscriber connection to Redis is down`)
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
      await runner.run('unsubscribe', (client) => client.unsubscribe(channelName, this.deliver))
    }
  }

  /** Closes the dedicated connection, if one was opened. */
  async close(): Promise<void> {
    for (const channel of this.channels.values()) for (const subscription of channel.subscriptions) subscription.active = false
    this.channels.clear()
    this.runner?.close()
    await this.connection?.close(0)
  }
}
