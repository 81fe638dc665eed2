import type { Driver, SubscribeOptions, Unsubscribe } from '../../src/index.js'

/** A driver whose subscriptions can be cut and restored, as a killed pub/sub connection would be. */
export interface FlakyBusDriver {
  readonly driver: Driver
  /** Stops delivering (messages published meanwhile are lost) and reports the loss. */
  cut(): void
  /** Subscribes again and reports it. */
  restore(): Promise<void>
}

/**
 * Wraps a driver so its subscriptions can be cut like a `CLIENT KILL TYPE pubsub` would: the
 * listener misses what is published until `restore()`, and `onConnectionChange` is told.
 */
export function flakyBus(inner: Driver): FlakyBusDriver {
  const subscriptions: { channel: string; listener: (message: string) => void; options: SubscribeOptions | undefined; unsubscribe: Unsubscribe | undefined }[] = []
  const driver = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'subscribe') return Reflect.get(target, property, receiver)
      return async (channel: string, listener: (message: string) => void, options?: SubscribeOptions): Promise<Unsubscribe> => {
        const subscription = { channel, listener, options, unsubscribe: await target.subscribe(channel, listener) as Unsubscribe | undefined }
        subscriptions.push(subscription)
        return async () => {
          await subscription.unsubscribe?.()
          subscription.unsubscribe = undefined
        }
      }
    },
  })
  return {
    driver,
    cut() {
      for (const subscription of subscriptions) {
        void subscription.unsubscribe?.()
        subscription.unsubscribe = undefined
        subscription.options?.onConnectionChange?.(false)
      }
    },
    async restore() {
      for (const subscription of subscriptions) {
        subscription.unsubscribe = await inner.subscribe(subscription.channel, subscription.listener)
        subscription.options?.onConnectionChange?.(true)
      }
    },
  }
}
