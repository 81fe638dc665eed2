import { DeadlineExceededError, DeadlineQueue, DriverError } from '@cachette/core'
import { DRIVER_NAME, failureKind, toDriverError } from './driver-errors.js'

/**
 * Every driver call goes through {@link CallRunner.run}, which adds what GLIDE does not give on
 * its own (measured with GLIDE 2.5.2, see the README):
 *
 * - A deadline over the whole call, however many round trips it takes (GLIDE's `requestTimeout`
 *   is per request, and does not cover the first connect of a lazy client).
 * - Fail fast while the server is known down. GLIDE keeps every request sent while it cannot
 *   connect, and serves them one connect attempt at a time: with the server down, 2,000 calls
 *   took minutes to all reject, one `connectionTimeout` after another. Here, after a call failed
 *   on the connection (or several in a row timed out), later calls reject at once, and a PING of
 *   the driver's own (one at a time) probes the server; its answer ends the outage. The probe is
 *   never a caller's command: GLIDE may still send a request it holds when the server comes back
 *   (its own timer can lag the caller's deadline), and a write the caller saw rejected must not
 *   be applied later.
 * - A bound on calls in flight (`maxPendingCalls`); beyond it a call rejects at once.
 */

/** What a call's `send` function may check between round trips. */
export interface CallToken {
  /** True once the call settled (deadline passed): send nothing more. */
  expired: boolean
}

/** Timeouts in a row after which the server counts as unreachable (a frozen server answers nothing). */
const TIMEOUTS_BEFORE_DOWN = 3

/** Runs driver calls with a deadline, a bounded number in flight, and fail-fast during an outage. */
export class CallRunner {
  private readonly deadlines: DeadlineQueue
  private inFlight = 0
  private closed = false
  private down = false
  private probing = false
  private timeoutsInARow = 0

  constructor(
    deadlineMs: number,
    private readonly maxPendingCalls: number,
    /** A PING on the client, sent while the server counts as down to learn when it is back. */
    private readonly ping: () => Promise<unknown>,
  ) {
    this.deadlines = new DeadlineQueue(deadlineMs)
  }

  /**
   * Runs `send` within the deadline. `operation` names the driver method for error messages.
   * Errors are mapped by {@link toDriverError}.
   */
  run<T>(operation: string, send: (token: CallToken) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DriverError('CLOSED', `[${DRIVER_NAME}] ${operation}: the driver was closed`))
    if (this.inFlight >= this.maxPendingCalls) {
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${this.maxPendingCalls} calls already in flight`))
    }
    if (this.down) {
      this.probe()
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: not connected to the server`))
    }
    this.inFlight++
    const token: CallToken = { expired: false }
    let sent: Promise<T>
    try {
      sent = send(token)
    } catch (error) {
      sent = Promise.reject(error)
    }
    const observed = sent.then(
      (value) => {
        this.settled(false, token, undefined)
        return value
      },
      (error: unknown) => {
        this.settled(false, token, error)
        throw toDriverError(operation, error)
      },
    )
    const answered = this.deadlines.run(observed, `valkey-glide ${operation}`, token)
    // The deadline usually fires a moment before GLIDE's own requestTimeout (both are deadlineMs):
    // count the timeout then, so the next call already knows.
    answered.catch((error: unknown) => {
      if (error instanceof DeadlineExceededError) this.timedOut()
    })
    return answered
  }

  /** Records how a call ended: a reply (even an error reply) proves the server reachable. */
  private settled(probe: boolean, token: CallToken, error: unknown): void {
    this.inFlight--
    if (probe) this.probing = false
    const kind = error === undefined ? 'ok' : failureKind(error)
    if (kind === 'ok' || kind === 'reply') {
      this.down = false
      this.timeoutsInARow = 0
    } else if (kind === 'connection') {
      this.down = true
    } else if (kind === 'timeout' && !token.expired) {
      // GLIDE timed out before the deadline fired (a shorter requestTimeout on a client handed in).
      this.timedOut()
    }
  }

  /**
   * One PING at a time while down; its answer (even an error reply) ends the outage. GLIDE's own
   * `requestTimeout` (the deadline) ends a probe that gets no answer; the next call starts another.
   */
  private probe(): void {
    if (this.probing || this.closed) return
    this.probing = true
    this.inFlight++
    const token: CallToken = { expired: false }
    let sent: Promise<unknown>
    try {
      sent = this.ping()
    } catch (error) {
      sent = Promise.reject(error)
    }
    sent.then(
      () => this.settled(true, token, undefined),
      (error: unknown) => this.settled(true, token, error),
    )
  }

  private timedOut(): void {
    if (++this.timeoutsInARow >= TIMEOUTS_BEFORE_DOWN) this.down = true
  }

  /** Rejects every later call with `CLOSED`. */
  close(): void {
    this.closed = true
  }
}
