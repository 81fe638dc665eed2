import type { PatientStatsCounters } from './patient-stats.js'

/** Settings of the queue (already validated). */
export interface InvalidationQueueConfig {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly maxPending: number
  /** Past this age an entry is abandoned: the stale cache entry has expired by itself (the TTL). */
  readonly expireAfterMs: number
  /** Reports a problem (no key in it). */
  readonly warn: (message: string, error?: unknown) => void
}

interface Pending {
  readonly run: () => Promise<void>
  /** Attempts made so far (the first one, which failed, included). */
  attempts: number
  readonly queuedAt: number
  nextAt: number
}

// How many due invalidations are retried at once once the store answers again.
const RETRY_CONCURRENCY = 32

/**
 * Invalidations that could not reach the store, retried with a bounded exponential backoff until
 * they succeed. An invalidation is never dropped silently: it leaves the queue when it succeeds,
 * when its entry's TTL has passed (the stale entry is gone anyway; counted), or when the queue is
 * full on arrival (refused, counted and logged). While the store stays down, only the earliest due
 * invalidation is tried; the others wait for it, so a dead store is not hammered.
 */
export class InvalidationQueue {
  private readonly entries = new Map<string, Pending>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private running: Promise<void> | undefined
  private closed = false

  constructor(
    private readonly config: InvalidationQueueConfig,
    private readonly stats: PatientStatsCounters,
  ) {}

  /** Invalidations waiting now. */
  get size(): number {
    return this.entries.size
  }

  /** Whether an invalidation of `id` is waiting (its cache entry may be stale: do not trust it). */
  has(id: string): boolean {
    return this.entries.has(id)
  }

  /** Queues an invalidation whose first attempt failed. Resolves nothing: the queue owns it now. */
  enqueue(id: string, run: () => Promise<void>): void {
    if (this.entries.has(id)) return
    if (this.closed || this.entries.size >= this.config.maxPending) {
      this.stats.invalidationsDropped++
      this.config.warn(
        this.closed
          ? 'an invalidation failed after close(); it is not retried and the entry may stay stale until its TTL'
          : 'the invalidation retry queue is full; an entry may stay stale until its TTL',
      )
      return
    }
    const now = Date.now()
    this.stats.invalidationsQueued++
    this.entries.set(id, { run, attempts: 1, queuedAt: now, nextAt: now + this.config.initialDelayMs })
    this.schedule()
  }

  /**
   * Tries every waiting invalidation now, ignoring the backoff; resolves how many are still waiting.
   * For shutdown hooks and operators ("the store is back, flush now").
   */
  async retryNow(): Promise<number> {
    await this.running
    const now = Date.now()
    for (const entry of this.entries.values()) entry.nextAt = now
    await this.runDue(true)
    return this.entries.size
  }

  /** Last attempt for everything waiting, then stops the timer; resolves how many could not be delivered (logged). */
  async close(): Promise<number> {
    const remaining = await this.retryNow()
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (remaining > 0) {
      this.stats.invalidationsDropped += remaining
      this.config.warn(`${remaining} invalidation(s) could not reach the store before close(); their entries may stay stale until their TTL`)
      this.entries.clear()
    }
    return remaining
  }

  private schedule(): void {
    if (this.closed || this.running !== undefined) return
    let earliest = Number.POSITIVE_INFINITY
    for (const entry of this.entries.values()) earliest = Math.min(earliest, entry.nextAt)
    if (earliest === Number.POSITIVE_INFINITY || earliest >= this.timerAt) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = earliest
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Number.POSITIVE_INFINITY
      void this.runDue(false)
    }, Math.max(0, earliest - Date.now()))
    // The queue must not keep a process alive on its own; close() delivers what it can.
    this.timer.unref?.()
  }

  private runDue(all: boolean): Promise<void> {
    this.running ??= this.attemptDue(all).finally(() => {
      this.running = undefined
      this.schedule()
    })
    return this.running
  }

  private async attemptDue(all: boolean): Promise<void> {
    const now = Date.now()
    const due: [string, Pending][] = []
    for (const [id, entry] of this.entries) {
      if (now - entry.queuedAt >= this.config.expireAfterMs) {
        this.entries.delete(id)
        this.stats.invalidationsExpired++
        this.config.warn('a queued invalidation was abandoned after the entry TTL: the stale entry has expired by itself')
      } else if (entry.nextAt <= now) {
        due.push([id, entry])
      }
    }
    if (due.length === 0) return
    // Probe with one; when the store is still down, every due entry backs off together.
    const [first, ...rest] = due as [[string, Pending], ...[string, Pending][]]
    if (!(await this.attempt(first[0], first[1])) && !all) {
      for (const [, entry] of rest) this.backOff(entry)
      return
    }
    for (let i = 0; i < rest.length; i += RETRY_CONCURRENCY) {
      await Promise.all(rest.slice(i, i + RETRY_CONCURRENCY).map(([id, entry]) => this.attempt(id, entry)))
    }
  }

  private async attempt(id: string, entry: Pending): Promise<boolean> {
    try {
      await entry.run()
      // Another enqueue of the same id may have replaced it meanwhile; delete only ours.
      if (this.entries.get(id) === entry) this.entries.delete(id)
      this.stats.invalidations++
      return true
    } catch {
      this.stats.invalidationRetryFailures++
      this.backOff(entry)
      return false
    }
  }

  private backOff(entry: Pending): void {
    entry.attempts++
    const delay = Math.min(this.config.maxDelayMs, this.config.initialDelayMs * 2 ** Math.min(entry.attempts - 1, 30))
    entry.nextAt = Date.now() + delay
  }
}
