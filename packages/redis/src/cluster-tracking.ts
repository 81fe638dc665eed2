import { DeadlineExceededError, DriverError, InvalidOptionsError, type TrackingOptions, type Unsubscribe } from '@cachette/core'
import { CallRunner } from './call-runner.js'
import type { ClusterTarget } from './cluster-target.js'
import { DRIVER_NAME, toDriverError } from './driver-errors.js'
import { NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'
import { tellSafely } from './pubsub.js'
import { Tracking } from './tracking.js'

/**
 * Tracking on a Redis Cluster: the standalone mechanism (tracking.ts) once per master, on the
 * node client node-redis sends that master's commands through, each redirected to a subscriber
 * connection of the driver's own on the same node (a redirect must name a client of the same
 * server).
 *
 * The set of masters is reconciled with the cluster's slot map whenever a node client becomes
 * ready and every second: a new master (a promoted replica) or a new node client for a known
 * master gets its own tracking, and until it is on the listener is told `false`; a node that is
 * no longer a master is dropped. `true` only when every current master is tracked.
 */

interface Tracker {
  readonly listener: (keys: readonly string[] | null) => void
  readonly onConnectionChange: ((connected: boolean) => void) | undefined
  active: boolean
  started: boolean
  connected: boolean
}

interface MasterTracking {
  readonly client: RedisDriverClient
  readonly connection: NodeConnection
  readonly tracking: Tracking
  connected: boolean
  stopped: boolean
}

const RECONCILE_MS = 1000

export class ClusterTracking {
  private readonly masters = new Map<string, MasterTracking>()
  private readonly trackers = new Set<Tracker>()
  private prefixes: readonly string[] | undefined
  private up = false
  private timer: NodeJS.Timeout | undefined
  private reconciling: Promise<void> | undefined
  private again = false
  private closed = false
  private readonly upWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>()

  constructor(
    private readonly target: ClusterTarget,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly socketTimeoutMs: number,
    private readonly onError: (error: Error) => void,
    private readonly subscriberOverrides: Record<string, unknown>,
  ) {}

  private readonly deliver = (keys: readonly string[] | null): void => {
    for (const tracker of this.trackers) if (tracker.active) tracker.listener(keys)
  }

  private readonly nodeReady = (): void => {
    void this.reconcile()
  }

  /** Brings the per-master trackings in line with the current masters; one run at a time. */
  private reconcile(): Promise<void> {
    if (this.reconciling !== undefined) {
      this.again = true
      return this.reconciling
    }
    const run = this.reconcileOnce()
      .catch((error: unknown) => this.onError(error as Error))
      .finally(() => {
        this.reconciling = undefined
        if (this.again && this.trackers.size > 0 && !this.closed) {
          this.again = false
          void this.reconcile()
        }
      })
    this.reconciling = run
    return run
  }

  private async reconcileOnce(): Promise<void> {
    if (this.trackers.size === 0 || this.closed) return
    const cluster = this.target.cluster
    const current = new Map<string, (typeof cluster.masters)[number]>()
    for (const master of cluster.masters) current.set(`${master.host}:${master.port}`, master)
    for (const [address, entry] of this.masters) {
      const master = current.get(address)
      if (master === undefined || (master.client !== undefined && master.client !== entry.client)) this.drop(address, entry)
    }
    this.update()
    await Promise.all(
      [...current].map(async ([address, master]) => {
        if (this.masters.has(address)) return
        const client = (await cluster.nodeClient(master)) as unknown as RedisDriverClient
        if (this.masters.has(address) || this.trackers.size === 0 || this.closed) return
        const connection = new NodeConnection({ owned: false, client }, this.socketTimeoutMs, this.onError)
        const runner = new CallRunner(connection, this.deadlineMs, this.maxPendingCalls)
        const overrides = this.subscriberOverrides
        const tracking = new Tracking(
          connection,
          runner,
          () => ({ owned: true, open: async () => client.duplicate(overrides as never) as RedisDriverClient }),
          this.deadlineMs,
          this.maxPendingCalls,
          this.socketTimeoutMs,
          this.onError,
        )
        const entry: MasterTracking = { client, connection, tracking, connected: false, stopped: false }
        this.masters.set(address, entry)
        this.update()
        try {
          await tracking.track(this.deliver, {
            ...(this.prefixes === undefined ? {} : { prefixes: this.prefixes }),
            onConnectionChange: (connected) => {
              entry.connected = connected
              this.update()
            },
          })
          if (!entry.stopped) entry.connected = true
        } catch (error) {
          this.onError(error as Error)
          if (this.masters.get(address) === entry) this.drop(address, entry)
        }
        this.update()
      }),
    )
  }

  private drop(address: string, entry: MasterTracking): void {
    entry.stopped = true
    entry.connected = false
    this.masters.delete(address)
    void entry.tracking.close()
    void entry.connection.close(0)
  }

  private update(): void {
    const masters = this.target.cluster.masters
    const up =
      this.trackers.size > 0 &&
      masters.length > 0 &&
      masters.every((master) => {
        const entry = this.masters.get(`${master.host}:${master.port}`)
        return entry !== undefined && entry.connected && (master.client === undefined || master.client === entry.client)
      })
    if (up === this.up) return
    this.up = up
    if (up) for (const waiter of [...this.upWaiters]) waiter.resolve()
    for (const tracker of this.trackers) {
      if (!tracker.active || !tracker.started || tracker.connected === up) continue
      tracker.connected = up
      tellSafely(tracker.onConnectionChange, up)
    }
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
      const timer = setTimeout(() => waiter.reject(toDriverError('trackInvalidations', new DeadlineExceededError('redis trackInvalidations', this.deadlineMs * 8))), this.deadlineMs * 8)
      this.upWaiters.add(waiter)
    })
  }

  private start(): void {
    if (this.timer !== undefined) return
    this.target.cluster.on('node-ready', this.nodeReady)
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS)
    this.timer.unref()
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.target.cluster.off('node-ready', this.nodeReady)
    this.up = false
    this.prefixes = undefined
    const entries = [...this.masters]
    this.masters.clear()
    await Promise.all(
      entries.map(async ([, entry]) => {
        entry.stopped = true
        await entry.tracking.close()
        await entry.connection.close(0)
      }),
    )
  }

  /** Adds a listener; resolves once every master is tracked. */
  async track(listener: (keys: readonly string[] | null) => void, options?: TrackingOptions): Promise<Unsubscribe> {
    if (this.closed) throw new DriverError('CLOSED', `[${DRIVER_NAME}] trackInvalidations: the driver was closed`)
    const prefixes = options?.prefixes === undefined ? undefined : [...new Set(options.prefixes)].sort()
    if (prefixes !== undefined && (prefixes.length === 0 || prefixes.some((prefix) => typeof prefix !== 'string' || prefix === ''))) {
      throw new InvalidOptionsError(`[${DRIVER_NAME}] trackInvalidations: prefixes must be non-empty strings (leave prefixes out for the default mode)`)
    }
    if (this.trackers.size > 0 && String(prefixes) !== String(this.prefixes)) {
      throw new InvalidOptionsError(`[${DRIVER_NAME}] trackInvalidations: one tracking mode per driver; this driver already tracks ${this.prefixes === undefined ? 'in default mode' : 'other prefixes'}`)
    }
    if (this.trackers.size === 0) this.prefixes = prefixes
    const tracker: Tracker = { listener, onConnectionChange: options?.onConnectionChange, active: true, started: false, connected: true }
    this.trackers.add(tracker)
    try {
      // Through the target, so a cluster still discovering its slots is waited for.
      await this.target.run('trackInvalidations', async () => undefined)
      this.start()
      await this.reconcile()
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

  /** Stops every master's tracking; tells nobody anything more. */
  async close(): Promise<void> {
    this.closed = true
    for (const tracker of this.trackers) tracker.active = false
    this.trackers.clear()
    for (const waiter of [...this.upWaiters]) waiter.reject(new DriverError('CLOSED', `[${DRIVER_NAME}] trackInvalidations: the driver was closed`))
    await this.stop().catch(() => undefined)
  }
}
