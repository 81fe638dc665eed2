import { DeadlineExceededError, DeadlineQueue, DriverError } from '@cachette/core'
import type { CallToken } from './call-runner.js'
import { firstFailure } from './batch.js'
import { type Argument, BYTES_TYPE_MAPPING, type Exec } from './commands.js'
import { DRIVER_NAME, sanitizeError, toDriverError } from './driver-errors.js'
import type { RedisDriverClusterClient } from './options.js'
import type { CommandTarget } from './standalone-target.js'

/**
 * A Redis Cluster through node-redis' `createCluster()`: commands are routed by their first key;
 * pattern work (SCAN, INFO) visits every master, each through its own node client.
 *
 * Calls made before the cluster discovered its slots wait for it (bounded, as on one server);
 * after that each node client fails fast while its node is down (the driver opens them with the
 * offline queue off), and every call has the deadline.
 */
export class ClusterTarget implements CommandTarget {
  private status: 'connecting' | 'ready' | 'down' | 'closed' = 'connecting'
  private connecting: Promise<void> | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private readonly deadlines: DeadlineQueue
  private readonly commandOptions: { readonly timeout: number }
  private readonly bytesOptions: { readonly timeout: number; readonly typeMapping: typeof BYTES_TYPE_MAPPING }
  private pending = 0
  private readonly exec: Exec

  constructor(
    readonly cluster: RedisDriverClusterClient,
    private readonly owned: boolean,
    private readonly deadlineMs: number,
    private readonly maxPendingCalls: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.deadlines = new DeadlineQueue(deadlineMs)
    this.commandOptions = Object.freeze({ timeout: deadlineMs })
    this.bytesOptions = Object.freeze({ timeout: deadlineMs, typeMapping: BYTES_TYPE_MAPPING })
    this.exec = (key, args, options) =>
      cluster.sendCommand(key, options?.readonly ?? false, args, options?.bytes === true ? this.bytesOptions : this.commandOptions) as Promise<unknown>
    if (!owned && cluster.isOpen) this.status = 'ready'
    else this.connect()
  }

  private connect(): void {
    if (this.status === 'closed') return
    this.status = 'connecting'
    this.connecting = this.cluster.connect().then(
      () => {
        if (this.status !== 'closed') this.status = 'ready'
      },
      (error: unknown) => {
        if (this.status === 'closed') return
        this.onError(sanitizeError(error))
        this.status = 'down'
        // The startup nodes were unreachable: try again, calls fail fast meanwhile.
        this.retryTimer = setTimeout(() => this.connect(), 500)
        this.retryTimer.unref()
      },
    )
  }

  run<T>(operation: string, send: (exec: Exec, token: CallToken) => Promise<T>): Promise<T> {
    const token: CallToken = { expired: false }
    const start = (): Promise<T> => {
      let sent: Promise<T>
      try {
        sent = send(this.exec, token)
      } catch (error) {
        sent = Promise.reject(error)
      }
      return sent.catch((error: unknown) => {
        throw toDriverError(operation, error)
      })
    }
    switch (this.status) {
      case 'ready':
        return this.deadlines.run(start(), `redis ${operation}`, token)
      case 'closed':
        return Promise.reject(new DriverError('CLOSED', `[${DRIVER_NAME}] ${operation}: the driver was closed`))
      case 'down':
        return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: the cluster could not be reached`))
      case 'connecting': {
        if (this.pending >= this.maxPendingCalls) {
          return Promise.reject(new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: ${this.maxPendingCalls} calls already wait for a connection`))
        }
        this.pending++
        const waited = (this.connecting ?? Promise.resolve()).then(() => {
          this.pending--
          if (token.expired) throw new DeadlineExceededError(`redis ${operation}`, this.deadlineMs)
          if (this.status !== 'ready') throw new DriverError('DRIVER_FAILURE', `[${DRIVER_NAME}] ${operation} failed: the cluster could not be reached`)
          return start()
        })
        return this.deadlines.run(waited, `redis ${operation}`, token)
      }
    }
  }

  multi(operation: string, key: string | undefined, queued: Argument[][]): Promise<unknown[]> {
    return this.run(operation, () => {
      const multi = this.cluster.multi(key)
      for (const args of queued) multi.addCommand(key, false, args)
      return (multi.exec() as Promise<unknown[]>).catch((error: unknown) => {
        throw firstFailure(error)
      })
    })
  }

  /** The current masters, once each, as Execs on their node clients. */
  masters(operation: string): Promise<Exec[]> {
    return this.run(operation, async () => {
      const seen = new Set<string>()
      const execs: Exec[] = []
      for (const master of this.cluster.masters) {
        const address = `${master.host}:${master.port}`
        if (seen.has(address)) continue
        seen.add(address)
        execs.push(async (_key, args) => {
          const client = await this.cluster.nodeClient(master)
          return client.sendCommand(args, this.commandOptions)
        })
      }
      return execs
    })
  }

  async close(graceMs: number): Promise<void> {
    if (this.status === 'closed') return
    const wasReady = this.status === 'ready'
    this.status = 'closed'
    clearTimeout(this.retryTimer)
    if (!this.owned) return
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    await Promise.race([wasReady ? this.cluster.close().catch(() => undefined) : Promise.resolve(), deadline])
    clearTimeout(timer)
    if (this.cluster.isOpen) this.cluster.destroy()
  }
}

