import type { Cache } from '@cachette/core'
import type { Messaging } from '@cachette/messaging'

/** The background flush of the outbox (the package starts no timer: the service owns this one). */
export interface OutboxFlusher {
  /**
   * Flushes now if there is something queued and the store answers; resolves how many entries were
   * applied. Concurrent calls share one flush (the outbox replays in order, one replay at a time).
   */
  flush(): Promise<number>
  /** Stops the timer and waits for a flush in flight. */
  stop(): Promise<void>
}

/**
 * Every `intervalMs`, when the outbox holds entries and `cache.health()` says the store answers
 * again, replays the outbox through the idempotent send. A flush that fails half-way (the store
 * went down again) leaves the rest queued for the next tick.
 *
 * @example
 * ```ts
 * const flusher = startOutboxFlusher({ cache, messaging, intervalMs: 2_000 })
 * await flusher.stop()
 * ```
 */
export function startOutboxFlusher({ cache, messaging, intervalMs, onError }: { cache: Cache; messaging: Messaging; intervalMs: number; onError?: (error: unknown) => void }): OutboxFlusher {
  let inFlight: Promise<number> | undefined
  const flushOnce = async (): Promise<number> => {
    if (messaging.stats().outboxDepth === 0) return 0
    if (!(await cache.health()).ok) return 0
    return messaging.flushOutbox()
  }
  const flush = (): Promise<number> => {
    inFlight ??= flushOnce().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }
  const timer = setInterval(() => {
    flush().catch((error: unknown) => onError?.(error))
  }, intervalMs)
  timer.unref()
  return {
    flush,
    async stop() {
      clearInterval(timer)
      await inFlight?.catch(() => undefined)
    },
  }
}
