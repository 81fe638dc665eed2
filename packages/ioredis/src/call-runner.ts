import { DeadlineExceededError, DeadlineQueue, DriverError } from '@cachette/core'
import { EventEmitter } from 'node:events'
import { toDriverError } from './driver-errors.js'
import type { WriteCoalescer } from './write-coalescer.js'

/**
 * Every driver call goes through {@link CallRunner.run}, which gives it two guarantees ioredis
 * does not give on its own (measured, see docs/drivers.md):
 *
 * - A deadline. The whole call (waiting for a connection, every round trip it needs) answers
 *   within `deadlineMs` or rejects with `DeadlineExceededError`. ioredis without
 *   `commandTimeout` waits forever on a frozen server, and its `commandTimeout` does not cover the
 *   cluster's retry delays. Calls sent at once share one timer (core's `DeadlineQueue`: every
 *   call has the same deadline, so they expire in order); a call that waits for a connection has
 *   its own, which also takes it out of the waiting set.
 * - A bounded wait instead of an offline queue. The driver's clients run with
 *   `enableOfflineQueue: false`, so nothing is queued in ioredis while Redis is away (its offline
 *   queue is unbounded and replays commands long after their caller gave up). Calls made while a
 *   connection attempt is in flight wait for it, at most `maxPendingCalls` of them and never past
 *   their deadline; calls made while the connection is known down fail at once. A call whose
 *   deadline passed is never sent.
 */

/** What a call's `send` function may check between round trips. */
export interface CallToken {
  /** True once the call settled (deadline passed): send nothing more. */
  expired: boolean
}

/** The part of an ioredis `Redis` / `Cluster` the runner watches. */
export interface ConnectionLike extends EventEmitter {
  readonly status: string
  /** A standalone client's socket (a Cluster has none). */
  readonly stream?: { readonly writable: boolean }
  connect(): Promise<void>
}

/** Statuses in which a connection attempt is in flight, worth waiting for. */
const CONNECTING = new Set(['wait', 'connecting', 'connect'])
/** Statuses in which the connection is known down: fail fast. */
const DOWN = new Set(['reconnecting', 'close', 'disconnecting', 'end'])

interface Waiter {
  start(): void
  fail(error: Error): void
}

/** Runs driver calls against one ioredis connection with a deadline and a bounded wait. */
export class CallRunner {
  private readonly waiters = new Set<Waiter>()
  private closed = false
  /** Deadlines of the calls sent at once: one timer for all of them, not one per call. */
  private readonly deadlines: DeadlineQueue

  constructor(
    private readonly connection: ConnectionLike,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly coalescer?: WriteCoalescer,
  ) {
    this.deadlines = new DeadlineQueue(deadlineMs)
    connection.on('ready', this.releaseWaiters)
    // 'close' fires when an attempt fails (refused, reset): the waiters' attempt is over.
    connection.on('close', this.failWaiters)
    connection.on('end', this.failWaiters)
  }

  private readonly releaseWaiters = (): void => {
    const ready = [...this.waiters]
    this.waiters.clear()
    for (const waiter of ready) waiter.start()
  }

  private readonly failWaiters = (): void => {
    const failed = [...this.waiters]
    this.waiters.clear()
    for (const waiter of failed) waiter.fail(new DriverError('DRIVER_FAILURE', '[@cachette/ioredis] the connection to Redis failed'))
  }

  /**
   * Runs `send` within the deadline. `operation` names the driver method for error messages.
   * Errors are mapped by {@link toDriverError}.
   */
  run<T>(operation: string, send: (token: CallToken) => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new DriverError('CLOSED', `[@cachette/ioredis] ${operation}: the driver was closed`))
    }
    const status = this.connection.status
    // After the server closed the socket, ioredis still says 'ready' until the socket's 'close'
    // event; under load that can take a while, and each call would cost ioredis an Error first.
    if (DOWN.has(status) || (status === 'ready' && this.connection.stream?.writable === false)) {
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[@cachette/ioredis] ${operation} failed: not connected to Redis (${status === 'ready' ? 'closing' : status})`))
    }
    const mustWait = CONNECTING.has(status)
    if (mustWait && this.waiters.size >= this.maxPendingCalls) {
      return Promise.reject(
        new DriverError('DRIVER_FAILURE', `[@cachette/ioredis] ${operation} failed: ${this.maxPendingCalls} calls already wait for a connection`),
      )
    }
    if (!mustWait) {
      // The common case, connected: send now, under the shared deadline queue.
      const token: CallToken = { expired: false }
      const sent = this.start(send, token).then(undefined, (error: unknown) => Promise.reject(toDriverError(operation, error)))
      return this.deadlines.run(sent, `ioredis ${operation}`, token)
    }
    return new Promise<T>((resolve, reject) => {
      const token: CallToken = { expired: false }
      const settle = (error: Error | undefined, value?: T) => {
        if (token.expired) return
        token.expired = true
        clearTimeout(timer)
        if (error === undefined) resolve(value as T)
        else reject(error)
      }
      const waiter: Waiter = {
        start: () => {
          if (token.expired) return
          this.start(send, token).then(
            (value) => settle(undefined, value),
            (error: unknown) => settle(toDriverError(operation, error)),
          )
        },
        fail: (error) => settle(error),
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        settle(new DeadlineExceededError(`ioredis ${operation}`, this.deadlineMs))
      }, this.deadlineMs)
      this.waiters.add(waiter)
      // A lazy client only connects when asked; sending a command would do the same.
      if (status === 'wait') this.connection.connect().catch(() => undefined)
    })
  }

  /** Hands the call to ioredis (a synchronous throw becomes a rejection). */
  private start<T>(send: (token: CallToken) => Promise<T>, token: CallToken): Promise<T> {
    this.coalescer?.beforeWrite()
    try {
      return send(token)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Rejects every waiting call and every later call with `CLOSED`; removes the listeners. */
  close(): void {
    this.closed = true
    this.coalescer?.endTurn()
    this.connection.off('ready', this.releaseWaiters)
    this.connection.off('close', this.failWaiters)
    this.connection.off('end', this.failWaiters)
    const waiting = [...this.waiters]
    this.waiters.clear()
    for (const waiter of waiting) waiter.fail(new DriverError('CLOSED', '[@cachette/ioredis] the driver was closed'))
  }
}
