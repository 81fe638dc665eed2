import type { StatsCounters } from '../observability/cache-stats.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { KeyPattern } from '../keys/define-key.js'
import type { CacheErrorCode } from '../errors.js'
import type { InvalidationQueueConfig } from '../options/invalidation-queue-options.js'
import type { CacheMetrics, LabelAttributes } from '../observability/metrics.js'

/**
 * A failure worth queueing for: the store is unreachable. A WRONGTYPE or a closed cache is not.
 *
 * @example
 * ```ts
 * isQueueable('CIRCUIT_OPEN') // true
 * isQueueable('CLOSED')       // false
 * ```
 */
export function isQueueable(code: CacheErrorCode | undefined): boolean {
  return code === 'DRIVER_FAILURE' || code === 'DEADLINE_EXCEEDED' || code === 'CIRCUIT_OPEN'
}

/** A queued pattern: what deletePattern needs to run again, and a matcher for reads meanwhile. */
export interface QueuedPattern {
  readonly pattern: KeyPattern | string
  /** True for a full store key the pattern deletes. */
  readonly matches: (fullKey: string) => boolean
}

/** How the queue applies what it holds (given by createCache: the operations it runs take the runtime, which holds the queue). */
export interface InvalidationApplier {
  deleteKeys(fullKeys: readonly string[]): Promise<unknown>
  deletePattern(pattern: KeyPattern | string): Promise<unknown>
  invalidateTags(tags: readonly string[]): Promise<unknown>
}

/**
 * What the queue uses of the cache that owns it (the runtime's store-call path is one): its breaker,
 * counters, metrics and logger, and a place to keep background work until close. Declared here, and
 * not taken as the runtime itself, because the runtime holds the queue: the queue does not import its owner.
 */
export interface InvalidationQueueHost {
  /** Undefined unless the cache has a circuit breaker. */
  readonly breaker: Pick<CircuitBreaker, 'rejects'> | undefined
  readonly stats: Pick<StatsCounters, 'invalidationsQueued' | 'invalidationsApplied' | 'invalidationsDropped'>
  readonly metrics: Pick<CacheMetrics, 'invalidationQueued'>
  /** The metrics attributes of calls on string keys, which are also those of cache-wide work. */
  readonly stringKeyAttributes: LabelAttributes
  /** Keeps a background promise until it settles, so close() can wait for it. */
  track(promise: Promise<unknown>): void
  /** Reports a problem without a value, a key or a parameter. */
  warn(message: string, operation: string, code: CacheErrorCode, attributes: LabelAttributes, spec: undefined): void
}

const KEY_BATCH = 500
/** A write that reached the store triggers a retry, but not more often than this. */
const MIN_KICK_INTERVAL_MS = 100

/**
 * Invalidations that failed on an unreachable store, kept until they succeed: de-duplicated
 * (a key, pattern or tag is held once), bounded, counted. While one is pending, reads in this
 * process treat the entries it covers as misses, so a stale entry is not served between the
 * store coming back and the retry. Each item carries a generation number: an item invalidated
 * again while a retry is in flight stays queued, so the newer invalidation is not lost.
 */
export class InvalidationQueue {
  private readonly keys = new Map<string, number>()
  private readonly patterns = new Map<string, { item: QueuedPattern; generation: number }>()
  private readonly tags = new Map<string, number>()
  private generation = 0
  private flushing: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastAttempt = 0
  private stopped = false

  constructor(
    private readonly host: InvalidationQueueHost,
    readonly config: InvalidationQueueConfig,
    private readonly apply: InvalidationApplier,
  ) {}

  /** Pending items. A field, not a getter: every read checks it (`size > 0`) on the hit path. */
  size = 0

  private resize(): void {
    this.size = this.keys.size + this.patterns.size + this.tags.size
  }

  /** Queues keys; false when the queue had no room for all of them (those are dropped and counted). */
  addKeys(fullKeys: readonly string[]): boolean {
    let all = true
    for (const key of fullKeys) {
      if (!this.keys.has(key) && !this.hasRoom()) {
        all = false
        continue
      }
      this.keys.set(key, ++this.generation)
      this.queued('invalidate')
    }
    this.resize()
    this.schedule()
    return all
  }

  /** Queues a pattern; false when there was no room. */
  addPattern(id: string, item: QueuedPattern): boolean {
    if (!this.patterns.has(id) && !this.hasRoom()) return false
    this.patterns.set(id, { item, generation: ++this.generation })
    this.queued('deletePattern')
    this.resize()
    this.schedule()
    return true
  }

  /** Queues tags; false when there was no room for all of them. */
  addTags(tags: readonly string[]): boolean {
    let all = true
    for (const tag of tags) {
      if (!this.tags.has(tag) && !this.hasRoom()) {
        all = false
        continue
      }
      this.tags.set(tag, ++this.generation)
      this.queued('invalidateTags')
    }
    this.resize()
    this.schedule()
    return all
  }

  /** Whether a pending invalidation covers this entry (its full key, or one of its tags). */
  shadows(fullKey: string, tags: Readonly<Record<string, string>> | undefined): boolean {
    if (this.keys.has(fullKey)) return true
    for (const { item } of this.patterns.values()) if (item.matches(fullKey)) return true
    if (tags !== undefined && this.tags.size > 0) for (const tag in tags) if (this.tags.has(tag)) return true
    return false
  }

  /** The store answered a write: retry now (rate-limited) instead of waiting for the timer. */
  kick(): void {
    if (this.size === 0 || this.flushing !== undefined || this.stopped) return
    if (performance.now() - this.lastAttempt < MIN_KICK_INTERVAL_MS) return
    void this.flush()
  }

  /**
   * Applies what is pending, in order keys, patterns, tags; stops at the first failure and keeps
   * the rest for the next try. One flush at a time.
   */
  flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing
    if (this.size === 0) return Promise.resolve()
    // An open circuit would skip every call: wait for it to allow a probe.
    if (this.host.breaker?.rejects() === true) {
      this.schedule()
      return Promise.resolve()
    }
    this.lastAttempt = performance.now()
    const run = this.applyAll()
      .catch(() => undefined)
      .finally(() => {
        this.flushing = undefined
        this.schedule()
      })
    this.flushing = run
    this.host.track(run)
    return run
  }

  /** Stops the timer; one last bounded try; what is left is counted and logged as dropped. */
  async close(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
    const left = this.size
    if (left > 0) {
      this.host.stats.invalidationsDropped += left
      this.host.warn(`${left} queued invalidation(s) could not be applied before close`, 'close', 'DRIVER_FAILURE', this.host.stringKeyAttributes, undefined)
    }
  }

  private async applyAll(): Promise<void> {
    while (this.keys.size > 0) {
      const batch: [string, number][] = []
      for (const entry of this.keys) {
        batch.push(entry)
        if (batch.length >= KEY_BATCH) break
      }
      await this.apply.deleteKeys(batch.map(([key]) => key))
      for (const [key, generation] of batch) this.settle(this.keys, key, generation)
    }
    for (const [id, { item, generation }] of [...this.patterns]) {
      await this.apply.deletePattern(item.pattern)
      if (this.patterns.get(id)?.generation === generation) {
        this.patterns.delete(id)
        this.resize()
        this.host.stats.invalidationsApplied++
      }
    }
    if (this.tags.size > 0) {
      const batch = [...this.tags]
      await this.apply.invalidateTags(batch.map(([tag]) => tag))
      for (const [tag, generation] of batch) this.settle(this.tags, tag, generation)
    }
  }

  private settle(map: Map<string, number>, id: string, generation: number): void {
    if (map.get(id) !== generation) return
    map.delete(id)
    this.resize()
    this.host.stats.invalidationsApplied++
  }

  private hasRoom(): boolean {
    if (this.size < this.config.maxSize) return true
    this.host.stats.invalidationsDropped++
    return false
  }

  private queued(operation: 'invalidate' | 'deletePattern' | 'invalidateTags'): void {
    this.host.stats.invalidationsQueued++
    this.host.metrics.invalidationQueued(operation)
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped || this.size === 0 || this.flushing !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, this.config.retryIntervalMs)
    // A retry must not keep an otherwise finished process alive; close() does the last try.
    ;(this.timer as { unref?: () => void }).unref?.()
  }
}
