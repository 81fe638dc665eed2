import { DeadlineExceededError, DriverError, InvalidOptionsError, type TrackingOptions, type Unsubscribe } from '@cachette/core'
import { CallRunner } from './call-runner.js'
import { DRIVER_NAME, sanitizeError, toDriverError } from './driver-errors.js'
import { type ConnectionSource, NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'
import { tellSafely } from './pubsub.js'

/**
 * Server-assisted client-side caching (Redis `CLIENT TRACKING`), the RESP2-compatible way:
 *
 * - a dedicated connection (RESP2) SUBSCRIBEd to `__redis__:invalidate` receives the reports;
 * - the command connection, the one every read of the driver goes through, runs
 *   `CLIENT TRACKING ON REDIRECT <that connection's id> NOLOOP [BCAST PREFIX p ...]`.
 *
 * Why not RESP3 push messages on the command connection: node-redis only surfaces `invalidate`
 * pushes through options fixed when the client is created (`emitInvalidate`, which turns on
 * tracking without NOLOOP or BCAST, and `clientSideCache`, which refuses a `CLIENT TRACKING` of
 * the driver's), and a client handed in may speak RESP2. The redirect works with both.
 *
 * Tracking state lives on a connection, so both sides are redone after either reconnects: when
 * the command connection is ready again, `CLIENT TRACKING ON` is sent from its `ready` event,
 * before any read of the driver can be written on the new socket (so no read goes untracked);
 * when the subscriber connection is back, it is subscribed again, its new id read, and the
 * command connection redirected to it (OFF then ON, written back to back). `onConnectionChange`
 * is told `false` as soon as either is lost and `true` once both are restored.
 */

interface Tracker {
  readonly listener: (keys: readonly string[] | null) => void
  readonly onConnectionChange: ((connected: boolean) => void) | undefined
  active: boolean
  /** Set once trackInvalidations resolved: nothing is told before. */
  started: boolean
  connected: boolean
}

const CHANNEL = '__redis__:invalidate'

export class Tracking {
  private subscriber: NodeConnection | undefined
  private subscriberRunner: CallRunner | undefined
  /** The subscriber connection's CLIENT ID while it is subscribed; undefined while it is down. */
  private subscriberId: string | undefined
  /** The redirect tracking is on with, on the current command socket; undefined when off. */
  private trackedWith: string | undefined
  private up = false
  private readonly trackers = new Set<Tracker>()
  /** The mode of the trackers: undefined for default mode, else the BCAST prefixes (sorted). */
  private prefixes: readonly string[] | undefined
  /** Calls of track() waiting for tracking to be on: resolved by update(), rejected by close(). */
  private readonly upWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>()
  private closed = false

  constructor(
    private readonly command: NodeConnection,
    private readonly commandRunner: CallRunner,
    private readonly source: () => ConnectionSource,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly socketTimeoutMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  private trackingArguments(redirect: string): string[] {
    const args = ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', redirect, 'NOLOOP']
    if (this.prefixes !== undefined) {
      args.push('BCAST')
      for (const prefix of this.prefixes) args.push('PREFIX', prefix)
    }
    return args
  }

  private readonly commandReady = (client: RedisDriverClient): void => {
    this.trackedWith = undefined
    const redirect = this.subscriberId
    if (redirect === undefined || this.trackers.size === 0) return
    // Sent from node-redis' 'ready' event: the first command written on the new socket.
    this.enableOn(client, redirect, false)
  }

  private readonly commandLost = (): void => {
    this.trackedWith = undefined
    this.update()
  }

  private readonly subscriberLost = (): void => {
    this.subscriberId = undefined
    this.update()
  }

  private readonly subscriberReady = (client: RedisDriverClient): void => {
    void this.restoreSubscriber(client)
  }

  private enableOn(client: RedisDriverClient, redirect: string, restart: boolean): void {
    const off = restart ? client.sendCommand(['CLIENT', 'TRACKING', 'OFF']) : undefined
    off?.catch(() => undefined)
    client.sendCommand(this.trackingArguments(redirect)).then(
      () => {
        if (this.command.client === client && this.command.status === 'ready' && this.subscriberId === redirect) {
          this.trackedWith = redirect
          this.update()
        }
      },
      (error: unknown) => {
        this.onError(sanitizeError(error))
        // With Sentinel, the command connection may have moved to a new master while the
        // subscriber still sits on the old one, where the id lives: let the subscriber move too.
        this.subscriber?.recheck()
      },
    )
  }

  private async restoreSubscriber(client: RedisDriverClient): Promise<void> {
    try {
      // A RESP2 connection in subscriber mode accepts no CLIENT ID, and node-redis subscribes
      // the same client again before its 'ready': leave the channel, read the id, come back.
      if (client.isPubSubActive) await client.unsubscribe(CHANNEL)
      const id = String(await client.sendCommand(['CLIENT', 'ID']))
      await client.subscribe(CHANNEL, this.deliver)
      if (this.subscriber?.client !== client || this.subscriber.status !== 'ready') return
      this.subscriberId = id
      const command = this.command.client
      if (command !== undefined && this.command.status === 'ready' && command.isReady) this.enableOn(command, id, true)
    } catch (error) {
      this.onError(sanitizeError(error))
    }
  }

  private update(): void {
    const up = this.subscriberId !== undefined && this.trackedWith === this.subscriberId
    if (up === this.up) return
    this.up = up
    if (up) for (const waiter of [...this.upWaiters]) waiter.resolve()
    for (const tracker of this.trackers) {
      if (!tracker.active || !tracker.started || tracker.connected === up) continue
      tracker.connected = up
      tellSafely(tracker.onConnectionChange, up)
    }
  }

  private readonly deliver = (message: string[] | null | string): void => {
    const keys = message === null ? null : Array.isArray(message) ? message : [message]
    for (const tracker of this.trackers) {
      // One microtask per listener, as pub/sub: a throwing listener breaks nothing else.
      queueMicrotask(() => {
        if (tracker.active) tracker.listener(keys)
      })
    }
  }

  private start(): void {
    if (this.subscriber !== undefined) return
    const subscriber = new NodeConnection(this.source(), this.socketTimeoutMs, this.onError)
    this.subscriber = subscriber
    this.subscriberRunner = new CallRunner(subscriber, this.deadlineMs, this.maxPendingCalls)
    subscriber.on('ready', this.subscriberReady)
    subscriber.on('lost', this.subscriberLost)
    subscriber.on('down', this.subscriberLost)
    this.command.on('ready', this.commandReady)
    this.command.on('lost', this.commandLost)
  }

  private async stop(): Promise<void> {
    const subscriber = this.subscriber
    if (subscriber === undefined) return
    this.subscriber = undefined
    this.subscriberId = undefined
    this.up = false
    this.prefixes = undefined
    this.command.off('ready', this.commandReady)
    this.command.off('lost', this.commandLost)
    this.subscriberRunner?.close()
    this.subscriberRunner = undefined
    const tracked = this.trackedWith !== undefined
    this.trackedWith = undefined
    await subscriber.close(0)
    if (tracked) await this.commandRunner.run('trackInvalidations', (client) => client.sendCommand(['CLIENT', 'TRACKING', 'OFF'])).catch(() => undefined)
  }

  private waitUp(): Promise<void> {
    if (this.up) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer)
          this.upWaiters.delete(waiter)
          resolve()
        },
        reject: (error: Error) => {
          clearTimeout(timer)
          this.upWaiters.delete(waiter)
          reject(error)
        },
      }
      // Opening a connection, subscribing and turning tracking on: a few round trips.
      const timer = setTimeout(() => waiter.reject(toDriverError('trackInvalidations', new DeadlineExceededError('redis trackInvalidations', this.deadlineMs * 4))), this.deadlineMs * 4)
      this.upWaiters.add(waiter)
    })
  }

  /** Adds a listener; resolves once tracking is on. */
  async track(listener: (keys: readonly string[] | null) => void, options?: TrackingOptions): Promise<Unsubscribe> {
    const prefixes = options?.prefixes === undefined ? undefined : [...new Set(options.prefixes)].sort()
    if (prefixes !== undefined && (prefixes.length === 0 || prefixes.some((prefix) => typeof prefix !== 'string' || prefix === ''))) {
      throw new InvalidOptionsError(`[${DRIVER_NAME}] trackInvalidations: prefixes must be non-empty strings (leave prefixes out for the default mode)`)
    }
    if (this.trackers.size > 0 && String(prefixes) !== String(this.prefixes)) {
      throw new InvalidOptionsError(`[${DRIVER_NAME}] trackInvalidations: one tracking mode per driver; this driver already tracks ${this.prefixes === undefined ? 'in default mode' : 'other prefixes'}`)
    }
    if (this.trackers.size === 0) {
      this.prefixes = prefixes
      if (this.up) {
        // Tracking was turned off between; make sure the redirect is set again.
        this.up = false
        this.trackedWith = undefined
      }
    }
    if (this.closed) throw new DriverError('CLOSED', `[${DRIVER_NAME}] trackInvalidations: the driver was closed`)
    const tracker: Tracker = { listener, onConnectionChange: options?.onConnectionChange, active: true, started: false, connected: true }
    this.trackers.add(tracker)
    try {
      this.start()
      const command = this.command.client
      // The subscriber is up already (a second tracker, or tracking restarted): turn tracking on now.
      if (!this.up && this.subscriberId !== undefined && command !== undefined && this.command.status === 'ready') this.enableOn(command, this.subscriberId, true)
      await this.waitUp()
    } catch (error) {
      tracker.active = false
      this.trackers.delete(tracker)
      if (this.trackers.size === 0) await this.stop()
      throw error
    }
    tracker.started = true
    return async () => {
      if (!tracker.active) return
      tracker.active = false
      this.trackers.delete(tracker)
      if (this.trackers.size === 0) await this.stop()
    }
  }

  /** Closes the subscriber connection; tells nobody anything more. */
  async close(): Promise<void> {
    for (const tracker of this.trackers) tracker.active = false
    this.trackers.clear()
    this.closed = true
    for (const waiter of [...this.upWaiters]) waiter.reject(new DriverError('CLOSED', `[${DRIVER_NAME}] trackInvalidations: the driver was closed`))
    await this.stop().catch(() => undefined)
  }
}
