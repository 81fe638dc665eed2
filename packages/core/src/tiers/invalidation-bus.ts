import type { Driver, Unsubscribe } from '../driver/driver.js'
import type { StoreCalls } from '../store-calls/store-calls.js'
import { newToken } from '../operations/tag-tokens.js'

/**
 * What one message of the invalidation bus says: keys, tags and patterns to drop, or everything.
 * Never a value (no health data on the bus). On the wire it is JSON:
 * `{"v":1,"s":"<sender>","k":["<full key>",...],"t":["<tag>",...],"p":["<glob>",...],"c":1}`,
 * each field but `v` and `s` optional (docs/wire-format.md).
 */
export interface BusMessage {
  readonly keys?: readonly string[]
  readonly tags?: readonly string[]
  readonly patterns?: readonly string[]
  readonly clear?: boolean
}

/** Keys per published message: a large getOrSetMany is announced in several messages of bounded size. */
const KEYS_PER_MESSAGE = 500
const RETRY_MIN_MS = 50
const RETRY_MAX_MS = 5_000

/** What the bus tells the cache. */
export interface BusListener {
  /** Another process's message (this process's own are ignored). */
  received(message: BusMessage): void
  /** The subscription was lost (false), or is active again (true). */
  connectionChanged(connected: boolean): void
}

/**
 * The invalidation bus of a two-tier cache: one pub/sub channel per cache prefix, through the
 * cache's own driver. Publishing goes through the store-call path (deadline, breaker, metrics
 * under `operation="bus"`); a message that could not be published is kept (per key, tag and
 * pattern: the latest announcement wins, nothing is announced twice) and published again with a
 * back-off, and at once when the subscription comes back. Subscribing is retried the same way
 * until it succeeds.
 */
export class InvalidationBus {
  /** This process's id on the bus (random): its own messages come back and are ignored. */
  readonly sender = newToken()
  readonly channel: string
  connected = false
  published = 0
  received = 0
  publishFailures = 0
  private readonly pendingKeys = new Set<string>()
  private readonly pendingTags = new Set<string>()
  private readonly pendingPatterns = new Set<string>()
  private pendingClear = false
  private retryMs = RETRY_MIN_MS
  private timer: ReturnType<typeof setTimeout> | undefined
  private unsubscribe: Unsubscribe | undefined
  private subscribing = false
  private flushing: Promise<void> | undefined
  private closed = false

  constructor(
    private readonly store: StoreCalls,
    private readonly listener: BusListener,
  ) {
    this.channel = `${store.config.keyPrefix}cachette:bus`
  }

  /** Messages waiting to be published again. */
  get pending(): number {
    return this.pendingKeys.size + this.pendingTags.size + this.pendingPatterns.size + (this.pendingClear ? 1 : 0)
  }

  /** Subscribes (retried until it succeeds). */
  start(): void {
    if (this.closed || this.subscribing || this.unsubscribe !== undefined) return
    this.subscribing = true
    const driver = this.store.config.driver as Driver
    let subscribed: Promise<Unsubscribe>
    try {
      subscribed = driver.subscribe(this.channel, (text) => this.deliver(text), { onConnectionChange: (connected) => this.changed(connected) })
    } catch (error) {
      subscribed = Promise.reject(error)
    }
    subscribed.then(
      (unsubscribe) => {
        this.subscribing = false
        if (this.closed) {
          unsubscribe().catch(() => undefined)
          return
        }
        this.unsubscribe = unsubscribe
        this.changed(true)
      },
      (error: unknown) => {
        this.subscribing = false
        this.store.warn('the invalidation bus could not subscribe; the memory tier stays off until it can', 'bus', 'DRIVER_FAILURE', this.store.stringKeyAttributes, undefined, error instanceof Error ? error.name : undefined)
        this.schedule()
      },
    )
  }

  /** Announces an invalidation; never rejects (a failed publish is kept and retried). */
  publish(message: BusMessage): void {
    if (this.closed) return
    this.keep(message)
    void this.flush()
  }

  /** Adds a message to what is pending (a key, tag or pattern already there is kept once). */
  private keep(message: BusMessage): void {
    for (const key of message.keys ?? []) this.pendingKeys.add(key)
    for (const tag of message.tags ?? []) this.pendingTags.add(tag)
    for (const pattern of message.patterns ?? []) this.pendingPatterns.add(pattern)
    if (message.clear === true) this.pendingClear = true
  }

  /** Unsubscribes and makes one last try at what is pending. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    const unsubscribe = this.unsubscribe
    this.unsubscribe = undefined
    this.connected = false
    await unsubscribe?.().catch(() => undefined)
  }

  /** Publishes everything pending, one flush at a time (later announcements join the next one). */
  private flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing.then(() => (this.pending > 0 && this.flushing === undefined ? this.flush() : undefined))
    if (this.pending === 0) return Promise.resolve()
    const messages = this.take()
    this.flushing = this.send(messages).finally(() => {
      this.flushing = undefined
    })
    return this.flushing
  }

  /** Everything pending, as the messages to publish (at most KEYS_PER_MESSAGE keys each), and empties it. */
  private take(): BusMessage[] {
    const messages: BusMessage[] = []
    // A clear drops everything, so it says everything.
    if (this.pendingClear) messages.push({ clear: true })
    else {
      if (this.pendingTags.size > 0 || this.pendingPatterns.size > 0) {
        messages.push({ ...(this.pendingTags.size > 0 ? { tags: [...this.pendingTags] } : {}), ...(this.pendingPatterns.size > 0 ? { patterns: [...this.pendingPatterns] } : {}) })
      }
      const keys = [...this.pendingKeys]
      for (let i = 0; i < keys.length; i += KEYS_PER_MESSAGE) messages.push({ keys: keys.slice(i, i + KEYS_PER_MESSAGE) })
    }
    this.pendingKeys.clear()
    this.pendingTags.clear()
    this.pendingPatterns.clear()
    this.pendingClear = false
    return messages
  }

  private async send(messages: readonly BusMessage[]): Promise<void> {
    const driver = this.store.config.driver as Driver
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as BusMessage
      const text = JSON.stringify({ v: 1, s: this.sender, k: message.keys, t: message.tags, p: message.patterns, c: message.clear === true ? 1 : undefined })
      try {
        await this.store.call('bus', this.store.stringKeyAttributes, undefined, () => driver.publish(this.channel, text))
        this.published++
      } catch {
        this.publishFailures++
        // Put back what was not sent (merged with anything announced meanwhile), retry later.
        for (const unsent of messages.slice(i)) this.keep(unsent)
        this.schedule()
        return
      }
    }
    this.retryMs = RETRY_MIN_MS
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return
    const delay = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.unsubscribe === undefined) this.start()
      void this.flush()
    }, delay)
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  private changed(connected: boolean): void {
    if (this.closed || connected === this.connected) return
    this.connected = connected
    try {
      this.listener.connectionChanged(connected)
    } finally {
      if (connected) {
        this.retryMs = RETRY_MIN_MS
        void this.flush()
      }
    }
  }

  private deliver(text: string): void {
    if (this.closed) return
    let message: { v?: unknown; s?: unknown; k?: unknown; t?: unknown; p?: unknown; c?: unknown }
    try {
      message = JSON.parse(text) as typeof message
    } catch {
      message = {}
    }
    if (message.s === this.sender) return
    if (message.v !== 1 || typeof message.s !== 'string') {
      // Not ours to read (another version, or not the bus): drop everything rather than guess.
      this.received++
      this.listener.received({ clear: true })
      return
    }
    this.received++
    this.listener.received({
      keys: strings(message.k),
      tags: strings(message.t),
      patterns: strings(message.p),
      clear: message.c === 1,
    })
  }
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined
}
