import { DeadlineExceededError } from '../errors.js'

/**
 * Settles like `promise`, or rejects with a DeadlineExceededError after `deadlineMs`. The timer
 * is not unref'd on purpose: a script awaiting a cache call on a store that never answers must
 * get its rejection, not exit silently halfway.
 *
 * @example
 * ```ts
 * await withDeadline(driver.get(key), 500, 'get')
 * ```
 */
export function withDeadline<T>(promise: Promise<T>, deadlineMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(operation, deadlineMs)), deadlineMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * Resolves after `ms` (never rejects); the timer is cleared when `until` settles first.
 *
 * @example
 * ```ts
 * await Promise.race([write, delay(remainingMs, write)])
 * ```
 */
export function delay(ms: number, until?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms))
    until?.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    )
  })
}

interface PendingCall {
  readonly at: number
  readonly operation: string
  readonly reject: (error: unknown) => void
  readonly token: DeadlineToken | undefined
  done: boolean
}

/** Marked `expired` when a call's deadline passes, so a call of several round trips sends no more. */
export interface DeadlineToken {
  expired: boolean
}

/**
 * Deadlines for a stream of calls that all get the same deadline (one cache's store calls, one
 * driver's commands), with a single timer instead of one per call: a timer per call
 * (setTimeout + clearTimeout) cost as much as the rest of a memory hit, and about 3 % of a
 * sequential Redis hit. Calls expire in the order they started, so a FIFO queue is sorted by
 * deadline, and one timer armed for its head is enough. The timer is unref'd while no call is
 * waiting (so an idle process can exit) and ref'd while one is.
 *
 * Only where timers outlive the request that set them (Node, Bun: timers with `unref`). In
 * Cloudflare's workerd a timer dies with its request: the shared timer, armed during one
 * request, never fired for the calls of the next ones, and a cache kept at module scope enforced
 * no deadline after its first request (test/workerd.test.ts in @cachette/upstash). There each
 * call gets its own timer.
 *
 * @example
 * ```ts
 * const deadlines = new DeadlineQueue(500)
 * const value = await deadlines.run(client.get(key), 'get') // rejects with DeadlineExceededError after 500 ms
 * ```
 */
export class DeadlineQueue {
  private readonly queue: PendingCall[] = []
  private head = 0
  private waiting = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Whether timers outlive requests here; known at the first call (workerd allows no timer at module scope). */
  private shared: boolean | undefined

  /**
   * @param skip - true for a driver whose calls settle synchronously (see memory/in-process.ts):
   *   then `run` hands the promise back untouched, since no deadline could fire first.
   */
  constructor(
    readonly deadlineMs: number,
    private readonly skip = false,
  ) {}

  /**
   * Settles like `promise`, or rejects with a DeadlineExceededError naming `operation` once the
   * deadline passes; then `token.expired` is set too (a call of several round trips checks it
   * before each one).
   *
   * @example
   * ```ts
   * await deadlines.run(driver.get(key), 'get')
   * const token = { expired: false }
   * await deadlines.run(scanAll(token), 'scan', token)
   * ```
   */
  run<T>(promise: Promise<T>, operation: string, token?: DeadlineToken): Promise<T> {
    if (this.skip) return promise
    this.shared ??= timersOutliveRequests()
    if (!this.shared) return this.runAlone(promise, operation, token)
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { at: performance.now() + this.deadlineMs, operation, reject, token, done: false }
      this.dropSettledHead()
      this.queue.push(call)
      if (this.waiting++ === 0) (this.timer as { ref?: () => void } | undefined)?.ref?.()
      if (this.timer === undefined) this.arm()
      promise.then(
        (value) => {
          if (call.done) return
          call.done = true
          this.release()
          resolve(value)
        },
        (error: unknown) => {
          if (call.done) return
          call.done = true
          this.release()
          reject(error)
        },
      )
    })
  }

  /** One timer for one call: for runtimes whose timers die with their request. */
  private runAlone<T>(promise: Promise<T>, operation: string, token: DeadlineToken | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (token !== undefined) token.expired = true
        reject(new DeadlineExceededError(operation, this.deadlineMs))
      }, this.deadlineMs)
      promise.then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  private release(): void {
    if (--this.waiting === 0) (this.timer as { unref?: () => void } | undefined)?.unref?.()
  }

  private dropSettledHead(): void {
    while (this.head < this.queue.length && (this.queue[this.head] as PendingCall).done) this.head++
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    }
  }

  private arm(): void {
    const first = this.queue[this.head]
    if (first === undefined) return
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.at - performance.now()))
    if (this.waiting === 0) (this.timer as { unref?: () => void }).unref?.()
  }

  private expire(): void {
    this.timer = undefined
    const now = performance.now()
    while (this.head < this.queue.length) {
      const call = this.queue[this.head] as PendingCall
      if (!call.done) {
        if (call.at > now) break
        call.done = true
        this.waiting--
        if (call.token !== undefined) call.token.expired = true
        call.reject(new DeadlineExceededError(call.operation, this.deadlineMs))
      }
      this.head++
    }
    this.dropSettledHead()
    this.arm()
  }
}

/** Node's and Bun's timers are objects with `unref` and belong to the process; workerd's are numbers and belong to a request. */
function timersOutliveRequests(): boolean {
  const probe = setTimeout(() => {}, 0)
  clearTimeout(probe)
  return typeof (probe as { unref?: unknown }).unref === 'function'
}
