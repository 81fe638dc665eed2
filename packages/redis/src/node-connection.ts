import { EventEmitter } from 'node:events'
import { sanitizeError } from './driver-errors.js'
import type { RedisDriverClient } from './options.js'

/**
 * One connection to one Redis server (a node-redis client), and what the driver knows of it.
 *
 * node-redis reconnects by itself, but three things need the driver:
 * - A status calls can act on at once: `connecting` (worth waiting for), `ready`, `down` (fail
 *   fast), from the client's own events.
 * - A frozen server (SIGSTOP, a VM pause) keeps its TCP connection open and accepts bytes, so
 *   node-redis never notices. The driver counts calls in flight and replies: when calls wait and
 *   no reply arrived for `socketTimeoutMs`, a connection it opened is dropped and opened again
 *   (its commands in flight are rejected then, never replayed on the new one).
 * - With Sentinel, the master may move: the connection asks its `open()` again (which asks the
 *   Sentinels) after a connection error or a READONLY reply, and moves when the answer changed.
 *
 * Emits `ready` each time the connection is (again) usable, synchronously inside node-redis'
 * `ready` (so a command sent from a listener is the first one on the new socket), `lost` once
 * per loss of a ready connection, and `down` each time a connection or an attempt failed.
 */

export type ConnectionStatus = 'connecting' | 'ready' | 'down' | 'closed'

/** Where a connection comes from. */
export type ConnectionSource =
  | { readonly owned: false; readonly client: RedisDriverClient }
  | {
      readonly owned: true
      /** A new unconnected client for the current address (asks the Sentinels first, with Sentinel). */
      readonly open: () => Promise<RedisDriverClient>
      /** With Sentinel: whether the address `open()` would use now differs from the client's. */
      readonly moved?: (client: RedisDriverClient) => Promise<boolean>
    }

/** Backs off between failed `open()` calls (Sentinels unreachable). */
const REOPEN_MS = [100, 200, 500, 1000]

export class NodeConnection extends EventEmitter {
  status: ConnectionStatus = 'connecting'
  private current: RedisDriverClient | undefined
  /** Bumped by every new client, so late events of an old one are ignored. */
  private generation = 0
  private inFlight = 0
  private progressAt = 0
  private reopenAttempt = 0
  private reopenTimer: NodeJS.Timeout | undefined
  private checking = false

  constructor(
    private readonly source: ConnectionSource,
    private readonly socketTimeoutMs: number,
    private readonly onError: (error: Error) => void,
  ) {
    super()
    this.setMaxListeners(0)
    if (source.owned) this.open()
    else {
      this.attach(source.client)
      if (source.client.isReady) this.status = 'ready'
      else if (!source.client.isOpen) source.client.connect().catch(() => undefined)
    }
  }

  /** The client calls are sent through; undefined while the first `open()` is in flight. */
  get client(): RedisDriverClient | undefined {
    return this.current
  }

  /** True when the driver opened this connection (and may drop and reopen it). */
  get owned(): boolean {
    return this.source.owned
  }

  private open(): void {
    if (!this.source.owned || this.status === 'closed') return
    const source = this.source
    this.status = 'connecting'
    source.open().then(
      (client) => {
        if (this.status === 'closed') return void client.destroy()
        this.reopenAttempt = 0
        this.attach(client)
        client.connect().catch(() => undefined)
      },
      (error: unknown) => {
        if (this.status === 'closed') return
        this.onError(sanitizeError(error))
        this.status = 'down'
        this.emit('down')
        const delay = REOPEN_MS[Math.min(this.reopenAttempt++, REOPEN_MS.length - 1)] as number
        this.reopenTimer = setTimeout(() => this.open(), delay)
        this.reopenTimer.unref()
      },
    )
  }

  private attach(client: RedisDriverClient): void {
    const generation = ++this.generation
    this.current = client
    this.inFlight = 0
    const mine = () => generation === this.generation && this.status !== 'closed'
    client.on('ready', () => {
      if (!mine()) return
      this.status = 'ready'
      this.emit('ready', client)
    })
    client.on('error', (error: unknown) => {
      if (!mine()) return
      if (this.source.owned) this.onError(sanitizeError(error))
      this.markDown()
      this.recheck()
    })
    client.on('end', () => {
      if (mine()) this.markDown()
    })
  }

  private markDown(): void {
    const wasReady = this.status === 'ready'
    this.status = 'down'
    if (wasReady) this.emit('lost')
    this.emit('down')
  }

  /** Drops the current client (connections the driver opened) and opens a new one. */
  private replace(): void {
    if (!this.source.owned || this.status === 'closed') return
    const old = this.current
    this.generation++
    this.markDown()
    old?.destroy()
    this.open()
  }

  /** With Sentinel: asks whether the master moved, and moves. At most one check at a time. */
  recheck(): void {
    if (!this.source.owned || this.source.moved === undefined || this.checking || this.current === undefined) return
    this.checking = true
    const client = this.current
    this.source
      .moved(client)
      .then(
        (moved) => {
          if (moved && client === this.current) this.replace()
        },
        () => undefined,
      )
      .finally(() => {
        this.checking = false
      })
  }

  // ---- frozen-server watch ----------------------------------------------------------------
  /** A call was handed to the client. */
  sent(): void {
    if (this.inFlight === 0) this.progressAt = performance.now()
    this.inFlight++
  }

  /** A call the client answered (`fromServer`: a reply, even an error reply, arrived). */
  answered(fromServer: boolean, generation: number): void {
    if (generation !== this.generation) return
    if (this.inFlight > 0) this.inFlight--
    if (fromServer) this.progressAt = performance.now()
  }

  /** The generation a call is sent on, for {@link answered}. */
  get epoch(): number {
    return this.generation
  }

  /** Called when a call passed its deadline: drops a connection that has stopped answering. */
  checkStalled(): void {
    if (!this.source.owned || this.status !== 'ready' || this.inFlight === 0) return
    if (performance.now() - this.progressAt < this.socketTimeoutMs) return
    this.replace()
  }

  /** Stops watching; closes the client when the driver opened it (QUIT within `graceMs`, then destroy). */
  async close(graceMs: number): Promise<void> {
    if (this.status === 'closed') return
    this.status = 'closed'
    clearTimeout(this.reopenTimer)
    this.generation++
    const client = this.current
    if (!this.source.owned || client === undefined) return
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    // An 'error' listener stays: a late socket error must not become an unhandled event.
    const closing = client.isReady ? client.close().catch(() => undefined) : Promise.resolve()
    await Promise.race([closing, deadline])
    clearTimeout(timer)
    if (client.isOpen) client.destroy()
  }
}
