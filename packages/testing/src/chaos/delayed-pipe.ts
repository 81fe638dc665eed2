import type { Socket } from 'node:net'

/** The network conditions a {@link DelayedPipe} reads on every chunk. */
export interface PipeConditions {
  /** Base one-way delay, ms. */
  latencyMs: number
  /** Random extra delay in [0, jitterMs), ms. */
  jitterMs: number
  /** While true, chunks are held (not dropped) until the partition heals. */
  partitioned: boolean
}

/**
 * One direction of a proxied TCP connection. Chunks are delivered in order, each no earlier
 * than its arrival + latency + jitter (a later chunk never overtakes an earlier one, as on a
 * real stream). During a partition chunks are held, never dropped: dropping bytes inside a
 * stream would desynchronize the protocol (a Redis client would pair replies with the wrong
 * commands), which no real network partition does to a TCP connection that survives it.
 */
export class DelayedPipe {
  private readonly queue: { data: Buffer; due: number }[] = []
  private readonly held: Buffer[] = []
  private lastDue = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private ending = false
  private closed = false

  constructor(
    private readonly to: Socket,
    private readonly conditions: PipeConditions,
    private readonly random: () => number,
  ) {}

  /** A chunk arrived from the source. */
  push(data: Buffer): void {
    if (this.closed) return
    if (this.conditions.partitioned) {
      this.held.push(data)
      return
    }
    this.enqueue(data)
  }

  /** The partition healed: what was held goes out now, in order, with the current latency. */
  release(): void {
    const held = this.held.splice(0)
    for (const data of held) this.enqueue(data)
    if (this.timer === undefined) this.maybeEnd()
  }

  /** The source ended: end the destination once everything queued is delivered. */
  end(): void {
    this.ending = true
    this.maybeEnd()
  }

  /** Drops everything (the connection was reset or destroyed). */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.queue.length = 0
    this.held.length = 0
  }

  private enqueue(data: Buffer): void {
    const { latencyMs, jitterMs } = this.conditions
    if (latencyMs === 0 && jitterMs === 0 && this.queue.length === 0) {
      this.write(data)
      return
    }
    const due = Math.max(this.lastDue, performance.now() + latencyMs + jitterMs * this.random())
    this.lastDue = due
    this.queue.push({ data, due })
    if (this.timer === undefined) this.arm()
  }

  private arm(): void {
    const head = this.queue[0]
    if (head === undefined) {
      this.timer = undefined
      this.maybeEnd()
      return
    }
    this.timer = setTimeout(() => this.flushDue(), Math.max(0, head.due - performance.now()))
  }

  private flushDue(): void {
    const now = performance.now()
    while (this.queue.length > 0 && (this.queue[0] as { due: number }).due <= now + 0.5) {
      this.write((this.queue.shift() as { data: Buffer }).data)
    }
    this.arm()
  }

  private write(data: Buffer): void {
    if (!this.closed && !this.to.destroyed) this.to.write(data)
  }

  private maybeEnd(): void {
    if (this.ending && this.queue.length === 0 && this.held.length === 0 && !this.to.destroyed) this.to.end()
  }
}
