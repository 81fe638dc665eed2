import type { Unsubscribe } from '../driver/driver.js'

interface Subscription {
  readonly listener: (message: string) => void
  active: boolean
}

/**
 * In-process PUBLISH / SUBSCRIBE. Delivery is asynchronous (a microtask per listener) like a
 * message coming back from a server, so a listener never runs inside `publish()`, and a listener
 * that throws cannot stop the others.
 */
export class PubSub {
  private readonly channels = new Map<string, Set<Subscription>>()

  /** How many listeners will receive the message (each `subscribe` call counts as a subscriber). */
  publish(channel: string, message: string): number {
    const subscriptions = this.channels.get(channel)
    if (subscriptions === undefined) return 0
    for (const subscription of subscriptions) {
      queueMicrotask(() => {
        // An unsubscribe between publish and delivery wins: nothing arrives after it resolves.
        if (subscription.active) subscription.listener(message)
      })
    }
    return subscriptions.size
  }

  subscribe(channel: string, listener: (message: string) => void): Unsubscribe {
    const subscription: Subscription = { listener, active: true }
    let subscriptions = this.channels.get(channel)
    if (subscriptions === undefined) {
      subscriptions = new Set()
      this.channels.set(channel, subscriptions)
    }
    subscriptions.add(subscription)
    return async () => {
      if (!subscription.active) return
      subscription.active = false
      const current = this.channels.get(channel)
      if (current === undefined) return
      current.delete(subscription)
      if (current.size === 0) this.channels.delete(channel)
    }
  }

  /** Stops every subscription (on close). */
  clear(): void {
    for (const subscriptions of this.channels.values()) for (const subscription of subscriptions) subscription.active = false
    this.channels.clear()
  }
}
