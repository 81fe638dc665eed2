import * as z from 'zod'
import type { Clock } from '../clock.js'
import { isDurationLike, parseDuration, type Duration } from '../options/duration.js'
import type { CacheErrorCode } from '../errors.js'

/**
 * Options of `createCache({ circuitBreaker })`. The breaker belongs to one cache (and so to the
 * driver that cache uses).
 *
 * @example
 * ```ts
 * createCache({ driver, circuitBreaker: { failureThreshold: 5, window: '10s', openDuration: '5s' } })
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Store failures in a row (a success resets the count), all within `window`, that open the circuit.
   *
   * @default 5
   * @example
   * ```ts
   * createCache({ driver, circuitBreaker: { failureThreshold: 10 } }) // tolerate more blips before opening
   * ```
   */
  readonly failureThreshold?: number
  /**
   * The time the `failureThreshold` failures must fall within.
   *
   * @default '10s'
   * @example
   * ```ts
   * createCache({ driver, circuitBreaker: { failureThreshold: 5, window: '30s' } })
   * ```
   */
  readonly window?: Duration
  /**
   * How long the circuit stays open (every store call skipped at once) before one probe call
   * is let through; the probe's success closes the circuit, its failure opens it again.
   *
   * @default '5s'
   * @example
   * ```ts
   * createCache({ driver, circuitBreaker: { openDuration: '30s' } }) // probe a down Redis twice a minute
   * ```
   */
  readonly openDuration?: Duration
}

/** The breaker's state, as `health()` reports it. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Breaker settings after parsing. */
export interface CircuitBreakerConfig {
  readonly failureThreshold: number
  readonly windowMs: number
  readonly openMs: number
}

/** The zod schema of the `circuitBreaker` option. */
export const circuitBreakerSchema = z.union([
  z.boolean(),
  z.strictObject({
    failureThreshold: z.number().int().min(1).max(10_000).optional(),
    window: z.custom<Duration>((value) => isDurationLike(value), { message: 'expected a duration' }).optional(),
    openDuration: z.custom<Duration>((value) => isDurationLike(value), { message: 'expected a duration' }).optional(),
  }),
])

/**
 * The breaker settings of an option value (already validated by {@link circuitBreakerSchema}).
 *
 * @throws InvalidDurationError for a duration out of range.
 * @example
 * ```ts
 * resolveCircuitBreaker(true) // { failureThreshold: 5, windowMs: 10000, openMs: 5000 }
 * ```
 */
export function resolveCircuitBreaker(option: boolean | CircuitBreakerOptions | undefined): CircuitBreakerConfig | undefined {
  if (option === undefined || option === false) return undefined
  const given = option === true ? {} : option
  return {
    failureThreshold: given.failureThreshold ?? 5,
    windowMs: parseDuration(given.window ?? '10s'),
    openMs: parseDuration(given.openDuration ?? '5s'),
  }
}

/**
 * Failures that say the store is unreachable or unwell; a WRONGTYPE answer proves it is up.
 *
 * @example
 * ```ts
 * isOutage('DEADLINE_EXCEEDED') // true
 * isOutage('WRONG_TYPE')        // false
 * ```
 */
export function isOutage(code: CacheErrorCode): boolean {
  return code === 'DRIVER_FAILURE' || code === 'DEADLINE_EXCEEDED' || code === 'CLOSED'
}

const CLOSED = 0
const OPEN = 1
const HALF_OPEN = 2

/**
 * A circuit breaker for one cache's store calls. Closed: calls go through; `failureThreshold`
 * failures in a row within `windowMs` open it. Open: calls are skipped at once (no waiting for
 * a deadline on a store that is down). After `openMs` it is half-open: one call goes through as
 * a probe while the others are still skipped; a success closes it, a failure opens it again.
 * The open -> half-open step happens lazily, on the next call: no timer.
 *
 * `allow()` and `succeeded()` cost a comparison while closed: they are on the hit path.
 */
export class CircuitBreaker {
  private state = CLOSED
  /** Times of the current run of consecutive failures, a ring of `failureThreshold` slots. */
  private readonly failures: number[]
  private failureCount = 0
  private openedAt = 0
  private probeStartedAt = 0
  private probing = false

  constructor(
    readonly config: CircuitBreakerConfig,
    private readonly clock: Clock,
    private readonly onChange: (state: 'open' | 'closed') => void,
  ) {
    this.failures = new Array<number>(config.failureThreshold).fill(0)
  }

  /** The state now (an open circuit whose open duration has passed reads as half-open). */
  get current(): CircuitState {
    if (this.state === CLOSED) return 'closed'
    if (this.state === OPEN && this.clock.now() - this.openedAt < this.config.openMs) return 'open'
    return 'half-open'
  }

  /** Whether a store call may go out now. In half-open state, true once (the probe). */
  allow(): boolean {
    if (this.state === CLOSED) return true
    const now = this.clock.now()
    if (this.state === OPEN) {
      if (now - this.openedAt < this.config.openMs) return false
      this.state = HALF_OPEN
      this.probing = false
    }
    // A probe that never reported back (a bug, or a caller that stopped listening) must not
    // keep the circuit half-open forever: after another open duration, let a new one through.
    if (this.probing && now - this.probeStartedAt < this.config.openMs) return false
    this.probing = true
    this.probeStartedAt = now
    return true
  }

  /** True when a call would be skipped now, without taking the half-open probe slot. */
  rejects(): boolean {
    return this.state === OPEN && this.clock.now() - this.openedAt < this.config.openMs
  }

  /** A store call answered. */
  succeeded(): void {
    if (this.state === CLOSED) {
      this.failureCount = 0
      return
    }
    // While open, calls sent before the circuit opened may still answer: only a half-open
    // answer (the probe, or a late call that proves the store is back) closes it.
    if (this.state === HALF_OPEN) this.close()
  }

  /** A store call failed with `code`; only outages count. */
  failed(code: CacheErrorCode): void {
    if (!isOutage(code)) {
      this.succeeded()
      return
    }
    const now = this.clock.now()
    if (this.state === HALF_OPEN) {
      this.open(now)
      return
    }
    if (this.state === OPEN) return
    const threshold = this.config.failureThreshold
    this.failures[this.failureCount % threshold] = now
    this.failureCount++
    if (this.failureCount < threshold) return
    // The oldest of the last `threshold` failures sits in the slot written next.
    const oldest = this.failures[this.failureCount % threshold] as number
    if (now - oldest <= this.config.windowMs) this.open(now)
  }

  private open(now: number): void {
    const wasClosed = this.state === CLOSED
    this.state = OPEN
    this.openedAt = now
    this.probing = false
    this.failureCount = 0
    if (wasClosed) this.onChange('open')
  }

  private close(): void {
    this.state = CLOSED
    this.failureCount = 0
    this.probing = false
    this.onChange('closed')
  }
}
