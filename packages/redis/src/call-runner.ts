import { DeadlineExceededError, DeadlineQueue, DriverError } from '@cachette/core'
import { DRIVER_NAME, isReplyError, toDriverError } from './driver-errors.js'
import type { NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'

/**
 * Every driver call on a standalone or Sentinel connection goes through {@link CallRunner.run},
 * which gives it what node-redis does not give on its own (measured, see docs/drivers.md):
 *
 * - A deadline. The whole call (waiting for a connection, every round trip) answers within
 *   `deadlineMs` or rejects with `DeadlineExceededError`. Calls sent at once share one timer
 *   (core's `DeadlineQueue`). Each command also carries node-redis' `timeout`, so one not yet
 *   written when the deadline passes is dropped from its queue, never sent late.
 * - A bounded wait instead of an offline queue. Calls made while the first connection (or a new
 *   one after a frozen server or a Sentinel failover) is being opened wait for it, at most
 *   `maxPendingCalls` of them and never past their deadline; calls made while the connection is
 *   known down fail at once, so nothing ever reaches node-redis' offline queue, even on a client
 *   handed in with it on.
 */

/** What a call's `send` function may check between round trips. */
export interface CallToken {
  /** True once the call settled (deadline passed): send nothing more. */
  expired: boolean
}

interface Waiter {
  start(client: RedisDriverClient): void
  fail(error: Error): void
}

/** Runs driver calls against one {@link NodeConnection} with a deadline and a bounded wait. */
export class CallRunner {
  private readonly waiters = new Set<Waiter>()
  private closed = false
  private readonly deadlines: DeadlineQueue
  /** The per-command options: node-redis drops a command not written within the deadline. */
  readonly commandOptions: { readonly timeout: number }

  constructor(
    private readonly connection: NodeConnection,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
  ) {
    this.deadlines = new DeadlineQueue(deadlineMs)
    this.commandOptions = Object.freeze({ timeout: deadlineMs })
    connection.on('ready', this.releaseWaiters)
    connection.on('down', this.failWaiters)
  }

  private readonly releaseWaiters = (client: RedisDriverClient): void => {
    const ready = [...this.waiters]
    this.waiters.clear()
    for (const waiter of ready) waiter.start(client)
  }

  private readonly failWaiters = (): void => {
    const failed = [...this.waiters]
    this.waiters.clear()
    for (const waiter of failed) waiter.fail(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] the connection to Redis failed`))
  }

  /** Runs `send` within the deadline. `operation` names the driver method for error messages. */
  run<T>(operation: string, send: (client: RedisDriverClient, token: CallToken) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DriverError('CLOSED', `[${DRIVER_NAME}] ${operation}: the driver was closed`))
    const connection = this.connection
    const status = connection.status
    const client = connection.client
    if (status === 'ready' && client !== undefined && client.isReady) {
      const token: CallToken = { expired: false }
      const sent = this.start(send, client, token, operation)
      return this.deadlines.run(sent, `redis ${operation}`, token).catch((error: unknown) => this.onFailure(error))
    }
    if (status !== 'connecting') {
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: not connected to Redis (${status === 'ready' ? 'reconnecting' : status})`))
    }
    if (this.waiters.size >= this.maxPendingCalls) {
      return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${this.maxPendingCalls} calls already wait for a connection`))
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
        start: (ready) => {
          if (token.expired) return
          this.start(send, ready, token, operation).then(
            (value) => settle(undefined, value),
            (error: unknown) => settle(error as Error),
          )
        },
        fail: (error) => settle(error),
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        settle(new DeadlineExceededError(`redis ${operation}`, this.deadlineMs))
      }, this.deadlineMs)
      this.waiters.add(waiter)
    })
  }

  private onFailure(error: unknown): never {
    if (error instanceof DeadlineExceededError) this.connection.checkStalled()
    throw error
  }

  /** Hands the call to node-redis; counts it for the frozen-server watch; maps its errors. */
  private start<T>(send: (client: RedisDriverClient, token: CallToken) => Promise<T>, client: RedisDriverClient, token: CallToken, operation: string): Promise<T> {
    const connection = this.connection
    const epoch = connection.epoch
    connection.sent()
    let sent: Promise<T>
    try {
      sent = send(client, token)
    } catch (error) {
      sent = Promise.reject(error)
    }
    return sent.then(
      (value) => {
        connection.answered(true, epoch)
        return value
      },
      (error: unknown) => {
        const fromServer = isReplyError(error)
        connection.answered(fromServer, epoch)
        // After a failover the old master is a replica that refuses writes: ask the Sentinels.
        if (fromServer && (error as Error).message.startsWith('READONLY')) connection.recheck()
        throw toDriverError(operation, error)
      },
    )
  }

  /** Rejects every waiting call and every later call with `CLOSED`; removes the listeners. */
  close(): void {
    this.closed = true
    this.connection.off('ready', this.releaseWaiters)
    this.connection.off('down', this.failWaiters)
    const waiting = [...this.waiters]
    this.waiters.clear()
    for (const waiter of waiting) waiter.fail(new DriverError('CLOSED', `[${DRIVER_NAME}] the driver was closed`))
  }
}
