import type { Driver, Unsubscribe } from '../driver/driver.js'
import type { StoreCalls } from '../store-calls/store-calls.js'

const RETRY_MIN_MS = 50
const RETRY_MAX_MS = 5_000

/** What Redis's reports tell the memory tier. */
export interface TrackingListener {
  /** These store keys changed: entry keys, or tag token keys (`<prefix>cachette:tag:<tag>`). */
  changed(fullKeys: readonly string[]): void
  /** Anything may have changed (a flush). */
  flushed(): void
  /** Reports may be missed (false), or tracking is on again (true). */
  connectionChanged(connected: boolean): void
}

/**
 * Server-assisted client-side caching for the memory tier (`l1: { tracking }`): the driver's
 * `trackInvalidations` (Redis `CLIENT TRACKING`) reports every key that changed, whoever changed
 * it, in place of the cache's own bus. Started, and after a failure started again, with a
 * 50 ms–5 s back-off; the tier serves only while tracking is on.
 */
export class TrackingSubscription {
  connected = false
  /** Keys reported changed by the store (and flushes, counted once each). */
  received = 0
  private unsubscribe: Unsubscribe | undefined
  private starting = false
  private closed = false
  private retryMs = RETRY_MIN_MS
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly store: StoreCalls,
    private readonly prefixes: readonly string[] | undefined,
    private readonly listener: TrackingListener,
  ) {}

  /** Turns tracking on (retried until it succeeds). */
  start(): void {
    if (this.closed || this.starting || this.unsubscribe !== undefined) return
    this.starting = true
    const driver = this.store.config.driver as Driver
    let started: Promise<Unsubscribe>
    try {
      started = (driver.trackInvalidations as NonNullable<Driver['trackInvalidations']>).call(driver, (keys) => this.deliver(keys), {
        ...(this.prefixes === undefined ? {} : { prefixes: this.prefixes }),
        onConnectionChange: (connected) => this.changed(connected),
      })
    } catch (error) {
      started = Promise.reject(error)
    }
    started.then(
      (unsubscribe) => {
        this.starting = false
        if (this.closed) {
          unsubscribe().catch(() => undefined)
          return
        }
        this.unsubscribe = unsubscribe
        this.retryMs = RETRY_MIN_MS
        this.changed(true)
      },
      (error: unknown) => {
        this.starting = false
        this.store.warn('client-side caching could not start tracking; the memory tier stays off until it can', 'bus', 'DRIVER_FAILURE', this.store.stringKeyAttributes, undefined, error instanceof Error ? error.name : undefined)
        this.schedule()
      },
    )
  }

  /** Turns tracking off. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    const unsubscribe = this.unsubscribe
    this.unsubscribe = undefined
    this.connected = false
    await unsubscribe?.().catch(() => undefined)
  }

  private deliver(keys: readonly string[] | null): void {
    if (this.closed) return
    this.received += keys === null ? 1 : keys.length
    try {
      if (keys === null) this.listener.flushed()
      else if (keys.length > 0) this.listener.changed(keys)
    } catch {
      // A report the tier could not apply must not break the driver's connection handling.
    }
  }

  private changed(connected: boolean): void {
    if (this.closed || connected === this.connected) return
    this.connected = connected
    this.listener.connectionChanged(connected)
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return
    const delay = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.start()
    }, delay)
    ;(this.timer as { unref?: () => void }).unref?.()
  }
}
