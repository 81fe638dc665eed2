import { createCache, memoryDriver, type Cache, type CacheLogger, type Driver } from '@cachette/core'
import { createMessaging, memoryOutbox, type Messaging, type MessagingOutbox, type OutboxEntry } from '@cachette/messaging'
import type { Meter } from '@opentelemetry/api'

/** The service's store: one Cache over one driver, seed 004's messaging on it, and its outbox. */
export interface MessagingService {
  readonly driver: Driver
  readonly cache: Cache
  readonly messaging: Messaging
  readonly outbox: MessagingOutbox & { close?(): Promise<void> }
  /** Closes the cache and the outbox; the driver only if createMessagingService made it. */
  close(): Promise<void>
}

/** Options of {@link createMessagingService}. */
export interface MessagingServiceOptions {
  /** @default memoryDriver() */
  readonly driver?: Driver
  /** Where sends go while the store is down (a fileOutbox on Redis). @default memoryOutbox() */
  readonly outbox?: MessagingOutbox & { close?(): Promise<void> }
  /** The meter `/metrics` reads (see metrics.ts). @default none */
  readonly meter?: Meter
  /** Where absorbed store failures are reported (never a key or a value). @default console */
  readonly logger?: CacheLogger
  /** First segment of every key (tests give each app on one redis-server its own). @default 'messaging' */
  readonly namespace?: string
  /** Per store call. @default 500 */
  readonly deadlineMs?: number
}

/**
 * Messaging on a cache with a circuit breaker, so a dead Redis is skipped at once (a send goes
 * straight to the outbox) instead of costing every request its deadline.
 *
 * @example
 * ```ts
 * const service = createMessagingService({ driver: ioredisDriver({ url }), outbox: await fileOutbox({ path }) })
 * await service.messaging.createConversation({ type: 'ordonnance', contextId: '15', doctorId: 79, patientId: 5 })
 * ```
 */
export function createMessagingService(options: MessagingServiceOptions = {}): MessagingService {
  const driver = options.driver ?? memoryDriver({ maxEntries: 100_000 })
  const outbox = options.outbox ?? memoryOutbox<OutboxEntry>()
  const cache = createCache({
    driver,
    env: false,
    circuitBreaker: true,
    deadlineMs: options.deadlineMs ?? 500,
    ...(options.meter === undefined ? {} : { meter: options.meter }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  const messaging = createMessaging({ cache, outbox, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) })
  return {
    driver,
    cache,
    messaging,
    outbox,
    async close() {
      await cache.close({ driver: options.driver === undefined })
      await outbox.close?.()
    },
  }
}
