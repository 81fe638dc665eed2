import { InvalidOptionsError, type Cache, type CacheEvent, type CacheEventName } from '@cachette/core'

/** Every event a cache emits, in the order `CacheEventName` lists them. */
const ALL_EVENTS: readonly CacheEventName[] = ['hit', 'miss', 'staleHit', 'set', 'delete', 'error', 'circuitOpened', 'circuitClosed']

/** The fields of a {@link CacheEvent} that {@link CacheEventRecorder.count} can match on. */
export type CacheEventMatch = Partial<Pick<CacheEvent, 'keyPrefix' | 'template' | 'operation' | 'code' | 'source' | 'tier'>>

/** What {@link recordCacheEvents} returns: the events a cache emitted since, and plain answers about them. */
export interface CacheEventRecorder {
  /**
   * Every event received, oldest first. An event carries a key family and a template, never a
   * key or a value.
   *
   * @example
   * ```ts
   * events.events[0] // { type: 'miss', keyPrefix: 'patient', template: 'patient:{id}', operation: 'getOrSet', driver: 'memory' }
   * ```
   */
  readonly events: readonly CacheEvent[]
  /**
   * The event types received, oldest first: the shortest readable assertion of what the cache did.
   *
   * @example
   * ```ts
   * await cache.getOrSet('k', load) // miss, loader, set
   * await cache.getOrSet('k', load) // hit
   * assert.deepEqual(events.types(), ['miss', 'set', 'hit'])
   * ```
   */
  types(): CacheEventName[]
  /**
   * How many events of `type` were received, optionally only those whose fields equal `match`.
   *
   * @example
   * ```ts
   * expect(events.count('hit', { template: 'patient:{id}' })).toBe(1)
   * expect(events.count('error', { source: 'store' })).toBe(0)
   * ```
   */
  count(type: CacheEventName, match?: CacheEventMatch): number
  /**
   * Resolves with the next event of `type` (whose fields equal `match`) received after this call:
   * how a test waits for what the cache does in the background (an early refresh, a
   * stale-while-revalidate load, a queued invalidation) without sleeping. Rejects after
   * `timeoutMs` of real time, with a message that names the event type only.
   *
   * @default timeoutMs 5000
   * @example
   * ```ts
   * const refreshed = events.nextEvent('set')
   * await cache.getOrSet(key, load) // a fresh hit that starts an early refresh
   * await refreshed                 // the refresh wrote its value
   * ```
   */
  nextEvent(type: CacheEventName, match?: CacheEventMatch, timeoutMs?: number): Promise<CacheEvent>
  /**
   * Forgets what was received (between the arrange and the act of a test).
   *
   * @example
   * ```ts
   * await cache.set('k', 1) // arrange
   * events.clear()
   * await cache.get('k')    // act
   * assert.deepEqual(events.types(), ['hit'])
   * ```
   */
  clear(): void
  /**
   * Removes the recorder's listeners; the events received stay readable.
   *
   * @example
   * ```ts
   * events.stop()
   * ```
   */
  stop(): void
}

/**
 * Records the events a cache emits (`cache.on(...)`), for assertions in any test runner: plain
 * arrays and numbers, no runner's `expect` needed. Listening costs the cache one array push per
 * event.
 *
 * @param cache - the cache to listen to (anything with `on(event, listener)`).
 * @param types - the events to record.
 * @default types every event (`hit`, `miss`, `staleHit`, `set`, `delete`, `error`, `circuitOpened`, `circuitClosed`)
 * @example
 * ```ts
 * import { createCache, memoryDriver } from '@cachette/core'
 * import { recordCacheEvents } from '@cachette/testing'
 *
 * const cache = createCache({ driver: memoryDriver(), env: false })
 * const events = recordCacheEvents(cache)
 * await cache.getOrSet('k', () => 1)
 * await cache.getOrSet('k', () => 1)
 * events.types() // ['miss', 'set', 'hit']
 * ```
 */
export function recordCacheEvents(cache: Pick<Cache, 'on'>, types: readonly CacheEventName[] = ALL_EVENTS): CacheEventRecorder {
  const received: CacheEvent[] = []
  const waiters = new Set<(event: CacheEvent) => void>()
  const unsubscribe = types.map((type) =>
    cache.on(type, (event) => {
      received.push(event)
      for (const waiter of [...waiters]) waiter(event)
    }),
  )
  return {
    events: received,
    types: () => received.map((event) => event.type),
    count(type, match) {
      let n = 0
      for (const event of received) if (event.type === type && matches(event, match)) n++
      return n
    },
    nextEvent(type, match, timeoutMs = 5_000) {
      if (!types.includes(type)) return Promise.reject(new InvalidOptionsError(`[@cachette/testing] recordCacheEvents: '${type}' events are not recorded`))
      return new Promise<CacheEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`[@cachette/testing] no '${type}' event within ${timeoutMs} ms`))
        }, timeoutMs)
        const waiter = (event: CacheEvent) => {
          if (event.type !== type || !matches(event, match)) return
          clearTimeout(timer)
          waiters.delete(waiter)
          resolve(event)
        }
        waiters.add(waiter)
      })
    },
    clear() {
      received.length = 0
    },
    stop() {
      for (const off of unsubscribe.splice(0)) off()
    },
  }
}

function matches(event: CacheEvent, match: CacheEventMatch | undefined): boolean {
  if (match === undefined) return true
  for (const [field, value] of Object.entries(match)) if (value !== undefined && event[field as keyof CacheEvent] !== value) return false
  return true
}
